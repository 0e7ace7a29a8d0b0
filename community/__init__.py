"""The partner community: sharing anonymised customer cases.

So far: `community.redaction`, the anonymisation engine a case passes before anyone outside the
author's organisation sees it.
"""
