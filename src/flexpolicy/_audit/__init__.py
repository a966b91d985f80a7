"""The tamper-evident decision log (`log`) and its hash chain (`chain`)."""
