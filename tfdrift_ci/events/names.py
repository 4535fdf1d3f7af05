"""The CloudTrail eventSource names of the services tfdrift-ci reads.

Which events can change which resource types is not listed here: the drift rules declare it
(``tfdrift_ci.rules.drift``) and the caller passes it down to the sources (``events.base.WriteEvents``).
"""

from __future__ import annotations

ECR = "ecr.amazonaws.com"
ECR_PUBLIC = "ecr-public.amazonaws.com"
ECS = "ecs.amazonaws.com"
