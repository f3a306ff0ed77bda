from pipelines.read.linejoin import join_lines, join_pair


def test_plain_lines_join_with_one_space():
    assert join_lines(["Pågår  enligt", " plan, planerat", "", "till hösten."]) == (
        "Pågår enligt plan, planerat till hösten."
    )


def test_hyphen_rules():
    assert join_pair("kompetens-", "försörjning") == "kompetensförsörjning"
    assert join_pair("till EU-", "nivå") == "till EU-nivå"
    assert join_pair("OMS-", "gemensam") == "OMS-gemensam"
    assert join_pair("2023-", "2030") == "2023-2030"
    assert join_pair("hälso-", "och sjukvård") == "hälso- och sjukvård"
    assert join_pair("Västmanlands-", "Dala") == "Västmanlands-Dala"
    assert join_pair("aug–", "nov") == "aug–nov"
    assert join_pair("Klart –", "nästa steg") == "Klart – nästa steg"
    assert join_pair("Klart -", "nästa steg") == "Klart - nästa steg"


def test_decomposed_text_comes_out_nfc():
    assert join_lines(["Va\u0308stmanland"]) == "Västmanland"
