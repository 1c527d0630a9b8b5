"""The officer's flow: SME terms previewed on a contract, then applied with reasons for what was declined."""
