"""Organisation knowledge: who a customer is, from what is known about organisations, not from its name's words.

`knowledge` holds the shipped tables (listed companies, central SOEs, big groups) and matches names against
them; `names` reads legal names (place + 字号 + trade words + 组织形式, brackets, branches); `registry` is the
optional enterprise-registry adapter (off by default).
"""

from assistant.orgs.knowledge import OrgEntity, OrgKnowledge, OrgMatch, default_knowledge

__all__ = ["OrgEntity", "OrgKnowledge", "OrgMatch", "default_knowledge"]
