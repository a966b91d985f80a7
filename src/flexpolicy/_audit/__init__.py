"""The tamper-evident decision log (`log`), its records (`record`, `masking`), its
replay (`verify`) and its hash chain (`chain`)."""
