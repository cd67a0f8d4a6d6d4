from __future__ import annotations

from interceptor.privacy import mask, mask_data


def test_id_numbers_and_mobiles_keep_only_their_last_four() -> None:
    text = "张三320102199001011234，电话13912345678，人员编号3205001234567"
    masked = mask(text)
    assert "320102199001011234" not in masked and "**************1234" in masked
    assert "13912345678" not in masked and "*******5678" in masked
    assert "3205001234567" in masked  # a person number is not personal data


def test_id_number_with_x_and_nested_data() -> None:
    assert mask("32010219900101123X") == "**************123X"
    assert mask_data({"a": ["13912345678", 3]}) == {"a": ["*******5678", 3]}
