"""Prints the role aws-sam-translator generates for each function of a SAM template, as JSON:
{"FunctionId": {"managedPolicies": [names], "statements": [inline statements, intrinsics in long form]}}.
Usage: python3 sam_roles.py template.yaml"""
import json
import os
import sys

from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse


class ManagedPolicies:
    """The ARNs SAM may attach by name, without asking IAM (the translator only needs the names it uses)."""

    def load(self):
        names = ["AWSLambdaBasicExecutionRole", "AWSLambdaSQSQueueExecutionRole", "AWSLambdaKinesisExecutionRole",
                 "AWSLambdaDynamoDBExecutionRole", "AWSLambdaVPCAccessExecutionRole", "AWSXrayWriteOnlyAccess",
                 "AWSLambdaMSKExecutionRole"]
        return {name: "arn:aws:iam::aws:policy/service-role/" + name for name in names}


def main(path):
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    with open(path) as file:
        template = yaml_parse(file.read())
    # SAM wants an S3 location for code; the template names the local jar, which sam deploy uploads
    template.setdefault("Globals", {}).setdefault("Function", {})["CodeUri"] = "s3://bucket/jobline-functions.jar"
    for resource in template["Resources"].values():
        if resource.get("Type") == "AWS::Serverless::Function":
            resource.get("Properties", {}).pop("CodeUri", None)
    output = transform(template, {}, ManagedPolicies())
    roles = {}
    for logical_id, resource in output["Resources"].items():
        if resource["Type"] != "AWS::Lambda::Function":
            continue
        role = resource["Properties"]["Role"]["Fn::GetAtt"][0]
        properties = output["Resources"][role]["Properties"]
        statements = []
        for policy in properties.get("Policies", []):
            statements.extend(policy["PolicyDocument"]["Statement"])
        roles[logical_id] = {
            "managedPolicies": [arn.rsplit("/", 1)[-1] for arn in properties.get("ManagedPolicyArns", [])],
            "statements": statements,
        }
    json.dump(roles, sys.stdout, indent=1, sort_keys=True)


if __name__ == "__main__":
    main(sys.argv[1])
