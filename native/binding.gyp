{
  "targets": [
    {
      "target_name": "stagecredit_openblas",
      "sources": ["openblas.c"],
      "libraries": ["-lopenblas"],
      "cflags": ["-O2", "-Wall"]
    }
  ]
}
