"""Appendix C: the audit of the printed report (its numbers come from ``audit_report``); the claims of its prose."""

from __future__ import annotations

from helpers.facts.claims import not_checkable

not_checkable("appendix_c",
              smallest_bases="the audit computes these sample sizes as the smallest ones; the sentence "
                             "introduces its table")
