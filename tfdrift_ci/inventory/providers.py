"""Provider configurations: the region and account a resource's CloudTrail events come from.

``provider "aws" { region = …, alias = …, allowed_account_ids = […], assume_role { role_arn = … } }``
blocks of a module, and the ``providers = { aws = aws.west }`` map of a module call that passes them
down: https://developer.hashicorp.com/terraform/language/modules/develop/providers
"""

from __future__ import annotations

from tfdrift_ci.frozen import frozen
from tfdrift_ci.inventory.expr.context import Ctx
from tfdrift_ci.inventory.expr.evaluate import evaluate_text
from tfdrift_ci.inventory.expr.syntax import ExprSyntaxError, Lit, ObjectNode, parse
from tfdrift_ci.inventory.identity import parse_arn
from tfdrift_ci.inventory.parsed import Block


@frozen
class ProviderInfo:
    region: str | None = None
    account: str | None = None


def provider_info(block: Block, ctx: Ctx) -> ProviderInfo:
    region: str | None = None
    account: str | None = None
    attr = block.attribute("region")
    if attr is not None:
        value = evaluate_text(attr.expr, ctx)
        region = value if isinstance(value, str) and value else None
    allowed = block.attribute("allowed_account_ids")
    if allowed is not None:
        value = evaluate_text(allowed.expr, ctx)
        if isinstance(value, list) and len(value) == 1 and isinstance(value[0], str):
            account = value[0]
    if account is None:
        for assume in block.children("assume_role"):
            role = assume.attribute("role_arn")
            if role is None:
                continue
            value = evaluate_text(role.expr, ctx)
            if isinstance(value, str):
                parsed = parse_arn(value)
                if parsed is not None and parsed[1]:
                    account = parsed[1]
    return ProviderInfo(region=region, account=account)


def provider_key(block: Block, ctx: Ctx) -> str:
    name = block.labels[0] if block.labels else ""
    alias = block.attribute("alias")
    if alias is not None:
        value = evaluate_text(alias.expr, ctx)
        if isinstance(value, str):
            return f"{name}.{value}"
    return name


def provider_ref(text: str) -> str:
    return text.strip().strip('"')


def parse_provider_map(text: str) -> dict[str, str]:
    """``providers = { aws = aws.west, aws.east = aws }`` → {"aws": "aws.west", "aws.east": "aws"}."""
    try:
        node = parse(text)
    except ExprSyntaxError:
        return {}
    out: dict[str, str] = {}
    if isinstance(node, ObjectNode):
        for knode, vnode in node.items:
            key = knode.value if isinstance(knode, Lit) else knode.text
            out[provider_ref(str(key))] = provider_ref(vnode.text)
    return out


def default_provider(rtype: str) -> str:
    return rtype.split("_", 1)[0]
