def test_harness_boots(open_harness, interpreter):
    tab = open_harness()
    tab.run("Session.set_persistent('k', (1, 2))")
    tab.reload()
    assert tab.run("result = repr(Session.get('k'))") == "(1, 2)"
