# Deployment artefacts (included by the Makefile): the Lambda zip, the container image,
# the AWS CDK app (docs/container.md, docs/lambda.md, docs/deploy-aws.md).

# The Lambda deployment package: the bootstrap ELF at the root, libcjson in lib/.
LAMBDA_ZIP := $(BUILD)/lambda.zip

# The CDK app (deploy/cdk/, its own npm packages) and where `make cdk-synth` writes.
CDK_DIR   := deploy/cdk
CDK_OUT   := build/cdk.out
CDK_TESTS := $(wildcard $(CDK_DIR)/test/*.test.ts)
# cdk synth with no AWS credentials (none in the environment, no config files), no
# instance metadata, no notices, telemetry or version check; inside a network
# namespace with no network at all when unshare may make one (as root, or in a user
# namespace). Evaluated only where used.
CDK_NO_NET = $(shell if unshare --net true 2>/dev/null; then echo unshare --net; \
	elif unshare --user --map-root-user --net true 2>/dev/null; then echo unshare --user --map-root-user --net; fi)
CDK_OFFLINE = env -u AWS_PROFILE -u AWS_DEFAULT_PROFILE -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY \
	-u AWS_SESSION_TOKEN -u AWS_CONTAINER_CREDENTIALS_FULL_URI -u AWS_CONTAINER_CREDENTIALS_RELATIVE_URI \
	-u AWS_WEB_IDENTITY_TOKEN_FILE AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
	AWS_EC2_METADATA_DISABLED=true CDK_DISABLE_VERSION_CHECK=1 CDK_DISABLE_CLI_TELEMETRY=true $(CDK_NO_NET)

$(LAMBDA_ZIP): $(LAMBDA_BIN) $(DOCS_OUT) deploy/lambda-zip.sh
	deploy/lambda-zip.sh $@ $(LAMBDA_BIN) $(BUILD)/docs

.PHONY: lambda-zip image image-check
lambda-zip: $(LAMBDA_ZIP)

# The container image, with docker when its daemon answers, else podman (docker format: it keeps
# HEALTHCHECK). With podman, docker/podman-env adds the flags that machines
# like this one need (ulimits, host network) and, when no registry can be
# reached, makes the Debian base image locally with debootstrap.
IMAGE ?= math-service
image: $(addprefix node_modules/swagger-ui-dist/,$(DOCS_ASSETS))
	@if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then \
		echo "docker build -t $(IMAGE) ."; docker build -t $(IMAGE) .; \
	elif command -v podman >/dev/null 2>&1; then \
		podman image exists docker.io/library/debian:bookworm-slim || \
			timeout 120 podman pull -q docker.io/library/debian:bookworm-slim || \
			docker/podman-env ensure_base_image || exit 1; \
		echo "podman build --format docker -t $(IMAGE) ."; docker/podman-env build -t $(IMAGE) .; \
	else \
		echo "make image: no docker daemon answers and podman is not installed (apt-get install podman)" >&2; exit 1; \
	fi

# The real image, built and run with podman (tests/image/); make test runs it.
image-check: all docs-assets $(LAMBDA_ZIP)
	BUILD=$(BUILD) tests/image/image_check.sh
	BUILD=$(BUILD) tests/image/lambda_zip.sh
	BUILD=$(BUILD) tests/image/deps_run.sh

# AWS CDK (deploy/cdk; docs/deploy-aws.md).
.PHONY: cdk-synth test-cdk
cdk-synth:
	@test -x $(CDK_DIR)/node_modules/.bin/cdk || { echo "missing $(CDK_DIR)/node_modules: run 'make deps'" >&2; exit 1; }
	rm -rf $(CDK_OUT)
	cd $(CDK_DIR) && $(CDK_OFFLINE) node_modules/.bin/cdk synth --no-notices --quiet --output $(abspath $(CDK_OUT)) </dev/null

# The tests read $(CDK_OUT) (the CLI's own output) and synthesize other settings in-process.
# The tests also synthesize -c lambdaPackage=zip, which uploads build/lambda.zip.
test-cdk: cdk-synth $(LAMBDA_ZIP)
	cd $(CDK_DIR) && node_modules/.bin/tsc -p .
	cd $(CDK_DIR) && CDK_OUT=$(abspath $(CDK_OUT)) $(CDK_OFFLINE) node --import tsx --test \
		--test-concurrency=1 $(CDK_TESTS:$(CDK_DIR)/%=%) </dev/null
