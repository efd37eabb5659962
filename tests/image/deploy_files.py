#!/usr/bin/python3
"""deploy_files.py [IMAGE_CONFIG.json]: the deploy files work as written.

Always (no image needed; make test-e2e runs this):
- the ECS task definition is a valid RegisterTaskDefinition request by AWS's
  own API model (Debian's python3-botocore: required fields, types, enums, no
  unknown field), and meets Fargate's rules: awsvpc, a valid cpu/memory pair,
  an execution role, awslogs with a stream prefix and no awslogs-create-group
  (the standard ecsTaskExecutionRole may not create log groups: the README
  creates it, with the same name), health check values in range;
- the README's ECS steps register the target group as type ip (awsvpc) and
  say assignPublicIp; the SAM template and the task definition agree on the
  CPU architecture, and the README says how to build it on arm64.
With IMAGE_CONFIG.json (`podman image inspect IMAGE` output, make image-check):
both files point at what the built image really has: its exposed port, its
health check (GET / on $PORT), and its own entrypoint (neither file may
override it: the image must pick ECS or Lambda by itself).

Uses Debian's python3-yaml and python3-botocore (/usr/bin/python3), with a
YAML loader that accepts CloudFormation's short tags (!Ref, !Sub, !GetAtt ...)."""

import json
import os
import re
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FAILS = []


def check(what, ok, detail=""):
    if ok:
        print(f"ok   {what}")
    else:
        FAILS.append(what)
        print(f"FAIL {what}{': ' + detail if detail else ''}")


class CloudFormationLoader(yaml.SafeLoader):
    """Reads !Tag value as {"Fn::Tag": value} ({"Ref": value} for !Ref)."""


def _cfn_tag(loader, suffix, node):
    name = "Ref" if suffix == "Ref" else "Fn::" + suffix
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


CloudFormationLoader.add_multi_constructor("!", _cfn_tag)


def image_facts(path):
    with open(path) as f:
        inspect = json.load(f)
    config = inspect[0]["Config"]
    ports = [int(p.split("/")[0]) for p in config.get("ExposedPorts", {})]
    env = dict(e.split("=", 1) for e in config.get("Env", []))
    # Docker puts the health check under Config; podman beside it.
    health = (config.get("Healthcheck") or inspect[0].get("Healthcheck") or {}).get("Test", [])
    return {
        "ports": ports,
        "env": env,
        "health": health,
        "entrypoint": config.get("Entrypoint") or [],
        "cmd": config.get("Cmd") or [],
    }


def check_image(img):
    check("image exposes exactly one port", len(img["ports"]) == 1, str(img["ports"]))
    check("image's PORT is its exposed port",
          img["env"].get("PORT") == str(img["ports"][0] if img["ports"] else None),
          str(img["env"].get("PORT")))
    check("image has an exec-form HEALTHCHECK", img["health"][:1] == ["CMD"], str(img["health"]))
    check("image's entrypoint is docker/entrypoint with no CMD",
          img["entrypoint"] == ["/usr/local/bin/entrypoint"] and img["cmd"] == [],
          f'{img["entrypoint"]} {img["cmd"]}')
    with open(os.path.join(ROOT, "docker", "healthcheck")) as f:
        script = f.read()
    check("health check script requests GET / on $PORT",
          "GET / HTTP/1.0" in script and "${PORT:-" in script)


def check_ecs(img):
    path = os.path.join(ROOT, "deploy", "ecs-task-definition.json")
    with open(path) as f:
        task = json.load(f)
    containers = task.get("containerDefinitions", [])
    check("ECS: one container definition", len(containers) == 1)
    c = containers[0] if containers else {}
    ports = [m.get("containerPort") for m in c.get("portMappings", [])]
    check("ECS: port mapping is the image's exposed port", ports == img["ports"],
          f"{ports} vs {img['ports']}")
    env = {e["name"]: e["value"] for e in c.get("environment", [])}
    check("ECS: PORT agrees with the port mapping", env.get("PORT", img["env"].get("PORT")) ==
          str(ports[0] if ports else None))
    check("ECS: health check runs the image's own check",
          c.get("healthCheck", {}).get("command") == img["health"],
          f'{c.get("healthCheck", {}).get("command")} vs {img["health"]}')
    check("ECS: no entryPoint or command override",
          "entryPoint" not in c and "command" not in c)
    logs = c.get("logConfiguration", {})
    opts = logs.get("options", {})
    check("ECS: awslogs log configuration",
          logs.get("logDriver") == "awslogs" and
          all(k in opts for k in ("awslogs-group", "awslogs-region", "awslogs-stream-prefix")))
    grace = int(env.get("GRACEFUL_SHUTDOWN_TIMEOUT", "8"))
    check("ECS: stopTimeout leaves time for lighttpd's graceful stop",
          c.get("stopTimeout", 30) > grace, f'{c.get("stopTimeout")} <= {grace}')


def sam_functions(tpl):
    """The template's functions by LambdaPackage value: {"image": (name, fn), "zip": (name, fn)},
    told apart by PackageType (the zip's is Zip, written out)."""
    out = {}
    for k, r in tpl.get("Resources", {}).items():
        if r.get("Type") == "AWS::Serverless::Function":
            pkg = {"Image": "image", "Zip": "zip"}.get(r.get("Properties", {}).get("PackageType"), "?")
            out.setdefault(pkg, []).append((k, r))
    return out


def check_sam(img):
    path = os.path.join(ROOT, "deploy", "template.yaml")
    with open(path) as f:
        tpl = yaml.load(f, Loader=CloudFormationLoader)
    check("SAM: serverless transform", tpl.get("Transform") == "AWS::Serverless-2016-10-31")
    funcs = sam_functions(tpl)
    check("SAM: one image and one zip function", sorted(funcs) == ["image", "zip"] and
          all(len(v) == 1 for v in funcs.values()), str({k: [n for n, _ in v] for k, v in funcs.items()}))
    param = tpl.get("Parameters", {}).get("LambdaPackage", {})
    check("SAM: LambdaPackage chooses image (default) or zip",
          param.get("AllowedValues") == ["image", "zip"] and param.get("Default") == "image", str(param))
    outputs = json.dumps(tpl.get("Outputs", {}))
    for pkg, found in sorted(funcs.items()):
        name, fn = found[0]
        props = fn.get("Properties", {})
        check(f"SAM {pkg}: a condition on LambdaPackage", fn.get("Condition") in tpl.get("Conditions", {}))
        check(f"SAM {pkg}: no ImageConfig entrypoint/command override",
              not {"EntryPoint", "Command"} & set(props.get("ImageConfig", {})))
        events = [e.get("Type") for e in props.get("Events", {}).values()]
        check(f"SAM {pkg}: an HTTP API event", "HttpApi" in events, str(events))
        check(f"SAM {pkg}: a Function URL", "AuthType" in props.get("FunctionUrlConfig", {}))
        check(f"SAM {pkg}: outputs reference the function URL", f"{name}Url.FunctionUrl" in outputs)
        if pkg == "image":
            meta = fn.get("Metadata", {})
            dockerfile = os.path.normpath(os.path.join(os.path.dirname(path), meta.get("DockerContext", "."),
                                                       meta.get("Dockerfile", "Dockerfile")))
            check("SAM image: builds the repository's Dockerfile",
                  dockerfile == os.path.join(ROOT, "Dockerfile"), dockerfile)
        else:
            code = os.path.normpath(os.path.join(os.path.dirname(path), str(props.get("CodeUri"))))
            check("SAM zip: the zip make lambda-zip writes, bootstrap on provided.al2023",
                  code == os.path.join(ROOT, "build", "lambda.zip") and props.get("Runtime") == "provided.al2023"
                  and props.get("Handler") == "bootstrap", f"{code} {props.get('Runtime')} {props.get('Handler')}")


# Fargate's cpu units and the memory (MiB) each allows.
FARGATE_MEMORY = {
    256: [512, 1024, 2048],
    512: list(range(1024, 4097, 1024)),
    1024: list(range(2048, 8193, 1024)),
    2048: list(range(4096, 16385, 1024)),
    4096: list(range(8192, 30721, 1024)),
    8192: list(range(16384, 61441, 4096)),
    16384: list(range(32768, 122881, 8192)),
}


def load_task():
    with open(os.path.join(ROOT, "deploy", "ecs-task-definition.json")) as f:
        return json.load(f)


def load_sam():
    with open(os.path.join(ROOT, "deploy", "template.yaml")) as f:
        return yaml.load(f, Loader=CloudFormationLoader)


def readme():
    with open(os.path.join(ROOT, "README.md")) as f:
        return f.read()


def check_ecs_schema(task):
    try:
        from botocore.exceptions import ParamValidationError
        from botocore.loaders import Loader
        from botocore.model import ServiceModel
        from botocore.validate import validate_parameters
    except ImportError as e:
        check("ECS: AWS's API model is available (python3-botocore, make deps)", False, str(e))
        return
    model = ServiceModel(Loader().load_service_model("ecs", "service-2"))
    shape = model.operation_model("RegisterTaskDefinition").input_shape
    try:
        validate_parameters(task, shape)
        check("ECS: a valid RegisterTaskDefinition request (botocore's ECS model)", True)
    except ParamValidationError as e:
        check("ECS: a valid RegisterTaskDefinition request (botocore's ECS model)", False, str(e))


def check_ecs_fargate(task, text):
    check("ECS: Fargate, awsvpc", task.get("requiresCompatibilities") == ["FARGATE"] and
          task.get("networkMode") == "awsvpc")
    try:
        cpu, memory = int(task.get("cpu", "")), int(task.get("memory", ""))
    except ValueError:
        cpu, memory = 0, 0
    check("ECS: cpu and memory are a Fargate pair", memory in FARGATE_MEMORY.get(cpu, []),
          f'{task.get("cpu")}/{task.get("memory")}')
    check("ECS: an execution role (to pull from ECR and write logs)",
          re.fullmatch(r"arn:aws:iam::\d{12}:role/.+", task.get("executionRoleArn", "")) is not None)
    c = (task.get("containerDefinitions") or [{}])[0]
    opts = c.get("logConfiguration", {}).get("options", {})
    check("ECS: awslogs has a stream prefix (Fargate requires one)", bool(opts.get("awslogs-stream-prefix")))
    group = opts.get("awslogs-group", "")
    if opts.get("awslogs-create-group", "false") == "true":
        check("ECS: no awslogs-create-group (ecsTaskExecutionRole has no logs:CreateLogGroup)", False)
    check("ECS: the README creates the log group the task logs to",
          f"aws logs create-log-group --log-group-name {group}" in text, group)
    hc = c.get("healthCheck", {})
    ranges = {"interval": (5, 300), "timeout": (2, 60), "retries": (1, 10), "startPeriod": (0, 300)}
    bad = {k: hc[k] for k, (lo, hi) in ranges.items() if k in hc and not lo <= hc[k] <= hi}
    check("ECS: health check values in ECS's ranges", not bad, str(bad))
    check("ECS: health check timeout below its interval", hc.get("timeout", 5) < hc.get("interval", 30))
    # A read-only root and no capabilities (issue 27); /tmp (lighttpd's sockets and
    # spooled bodies) on a task volume, Fargate's ephemeral storage: no host path.
    check("ECS: read-only root filesystem", c.get("readonlyRootFilesystem") is True)
    caps = c.get("linuxParameters", {}).get("capabilities", {})
    check("ECS: every Linux capability dropped, none added",
          caps.get("drop") == ["ALL"] and not caps.get("add"), str(caps))
    volumes = {v.get("name"): v for v in task.get("volumes", [])}
    mounts = {m.get("containerPath"): m for m in c.get("mountPoints", [])}
    tmp = mounts.get("/tmp", {})
    check("ECS: /tmp is a writable task volume",
          tmp.get("readOnly") is False and tmp.get("sourceVolume") in volumes and
          set(volumes[tmp["sourceVolume"]]) == {"name"}, str(mounts))
    check("ECS: no other writable path", [p for p, m in mounts.items() if not m.get("readOnly")] == ["/tmp"],
          str(mounts))
    for m in c.get("portMappings", []):
        check("ECS: awsvpc port mapping (hostPort absent or equal)",
              m.get("hostPort", m.get("containerPort")) == m.get("containerPort"), str(m))


def check_readme_aws(task, sam, text):
    check("README: the target group is type ip (awsvpc tasks register by IP)",
          re.search(r"create-target-group[^`]*--target-type ip", text, re.S) is not None)
    check("README: create-service says assignPublicIp", "assignPublicIp=" in text)
    arch = task.get("runtimePlatform", {}).get("cpuArchitecture", "").lower()
    for pkg, found in sorted(sam_functions(sam).items()):
        sam_arch = found[0][1].get("Properties", {}).get("Architectures") or ["x86_64"]
        check(f"SAM {pkg} and ECS agree on the CPU architecture", sam_arch == [arch], f"{sam_arch} vs {arch}")
    if arch == "x86_64":
        check("README: how to build x86_64 on arm64 (--platform linux/amd64)", "--platform linux/amd64" in text)


def main():
    if len(sys.argv) > 2 or (len(sys.argv) == 2 and sys.argv[1].startswith("-")):
        print(__doc__, file=sys.stderr)
        return 2
    task, sam, text = load_task(), load_sam(), readme()
    check_ecs_schema(task)
    check_ecs_fargate(task, text)
    check_readme_aws(task, sam, text)
    if len(sys.argv) == 2:
        img = image_facts(sys.argv[1])
        check_image(img)
        check_ecs(img)
        check_sam(img)
    print(f"deploy files: {len(FAILS)} failed")
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
