from passerelle.documents.adapters.scanner import parse_reply


def test_clamd_replies_are_understood():
    assert parse_reply("stream: OK").clean
    infected = parse_reply("stream: Eicar-Test-Signature.UNOFFICIAL FOUND")
    assert (infected.clean, infected.failed, infected.detail) == (False, False, "Eicar-Test-Signature.UNOFFICIAL")
    failed = parse_reply("INSTREAM size limit exceeded. ERROR")
    assert (failed.clean, failed.failed) == (False, True)
    assert parse_reply("").failed
