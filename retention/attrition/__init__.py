from retention.attrition.model import *  # noqa: F403
