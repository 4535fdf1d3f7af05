"""Who made a change (tfdrift_ci/rules/drift/_actors.py)."""

from __future__ import annotations

from rules.drift.helpers import AAS, ALICE, BOB, CODEDEPLOY, SPOOFER, TERRAFORM, TF_ROLE, TF_UA
from tfdrift_ci.models import Actor
from tfdrift_ci.rules.drift._actors import classify, describe


def test_terraform_by_user_agent_when_no_principal_configured() -> None:
    assert classify(TERRAFORM, ()).cls == "terraform"
    # the normaliser's via may be missing: the user agent alone is recognised
    assert classify(Actor(display="x", user_agent=TF_UA), ()).cls == "terraform"
    assert classify(BOB, ()).cls == "other"


def test_configured_principal_exact_role_and_glob() -> None:
    assert classify(TERRAFORM, (TF_ROLE,)).cls == "terraform"
    assert classify(TERRAFORM, (TERRAFORM.arn or "",)).cls == "terraform"
    assert classify(TERRAFORM, ("arn:aws:iam::*:role/github-actions-*",)).cls == "terraform"
    # a configured principal wins even without the Terraform user agent
    assert classify(BOB, ("arn:aws:iam::111122223333:user/bob",)).cls == "terraform"


def test_spoofed_user_agent_is_not_trusted_when_principals_are_configured() -> None:
    c = classify(SPOOFER, (TF_ROLE,))
    assert c.cls == "other"
    assert c.note is not None and "not a configured Terraform principal" in c.note


def test_services() -> None:
    assert classify(AAS, ()).cls == "autoscaling"
    assert classify(CODEDEPLOY, ()).cls == "codedeploy"
    assert classify(ALICE, ()).cls == "other"


def test_describe() -> None:
    assert describe(ALICE) == "alice@example.com via the console (role AWSReservedSSO_Admin_1a2b)"
    assert describe(BOB) == "bob via the AWS CLI"
    assert describe(AAS).startswith("AutoScaling via Application Auto Scaling")


def test_principal_forms_written_by_hand() -> None:
    # the assumed-role ARN without the session name
    assert (
        classify(TERRAFORM, ("arn:aws:sts::111122223333:assumed-role/github-actions-terraform",)).cls
        == "terraform"
    )
    assert classify(TERRAFORM, ("arn:aws:sts::111122223333:assumed-role/github-actions",)).cls == "other"
    # a role with a path, configured without it
    with_path = Actor(
        display="s",
        arn="arn:aws:sts::111122223333:assumed-role/tf/s",
        role_arn="arn:aws:iam::111122223333:role/ci/tf",
        via="sdk",
    )
    assert classify(with_path, ("arn:aws:iam::111122223333:role/tf",)).cls == "terraform"
    assert classify(with_path, ("arn:aws:iam::444455556666:role/tf",)).cls == "other"
