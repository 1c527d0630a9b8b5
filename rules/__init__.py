"""The legal rules engine: pure Python, no database and no HTTP.

Rules take plain values (the dataclasses of ``rules.contract``) and return plain values
(``rules.findings.Finding`` and adjustments). Every number they use comes from a policy pack.
"""
