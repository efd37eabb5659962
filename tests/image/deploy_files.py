#!/usr/bin/python3
"""deploy_files.py IMAGE_CONFIG.json: the ECS task definition and the SAM
template parse, and point at what the built image really has: its exposed
port, its health check (GET / on $PORT), and its own entrypoint (neither file
may override it: the image must pick ECS or Lambda by itself).

IMAGE_CONFIG.json is `podman image inspect IMAGE` output. Uses Debian's
python3-yaml (/usr/bin/python3), with a loader that accepts CloudFormation's
short tags (!Ref, !Sub, !GetAtt ...)."""

import json
import os
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


def check_sam(img):
    path = os.path.join(ROOT, "deploy", "template.yaml")
    with open(path) as f:
        tpl = yaml.load(f, Loader=CloudFormationLoader)
    check("SAM: serverless transform", tpl.get("Transform") == "AWS::Serverless-2016-10-31")
    funcs = {k: r for k, r in tpl.get("Resources", {}).items()
             if r.get("Type") == "AWS::Serverless::Function"}
    check("SAM: one function", len(funcs) == 1, str(list(funcs)))
    name, fn = next(iter(funcs.items()), ("", {}))
    props = fn.get("Properties", {})
    check("SAM: image package type", props.get("PackageType") == "Image")
    check("SAM: no ImageConfig entrypoint/command override",
          not {"EntryPoint", "Command"} & set(props.get("ImageConfig", {})))
    events = [e.get("Type") for e in props.get("Events", {}).values()]
    check("SAM: an HTTP API event", "HttpApi" in events, str(events))
    check("SAM: a Function URL", "AuthType" in props.get("FunctionUrlConfig", {}))
    meta = fn.get("Metadata", {})
    dockerfile = os.path.normpath(os.path.join(os.path.dirname(path), meta.get("DockerContext", "."),
                                               meta.get("Dockerfile", "Dockerfile")))
    check("SAM: builds the repository's Dockerfile",
          dockerfile == os.path.join(ROOT, "Dockerfile"), dockerfile)
    outputs = json.dumps(tpl.get("Outputs", {}))
    check("SAM: outputs reference the function URL",
          f"{name}Url.FunctionUrl" in outputs)


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    img = image_facts(sys.argv[1])
    check_image(img)
    check_ecs(img)
    check_sam(img)
    print(f"deploy files: {len(FAILS)} failed")
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
