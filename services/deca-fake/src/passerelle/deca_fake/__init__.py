"""A stand-in for the administration's deposit service (DECA): the local stack's and the tests'."""
