"""Clips are served with HTTP Range support (Safari probes with bytes=0-1)."""

import pytest

from studyapp.media import RangeNotSatisfiable, byte_range
from studyapp.models import Stimulus


@pytest.mark.parametrize("header, expected", [
    (None, None),
    ("", None),
    ("bytes=0-1", (0, 1)),
    ("bytes=0-0", (0, 0)),
    ("bytes=100-", (100, 999)),
    ("bytes=-500", (500, 999)),
    ("bytes=-5000", (0, 999)),
    ("bytes=990-5000", (990, 999)),
    ("bytes=5-2", None),          # invalid: ignored, whole file
    ("bytes=0-1,5-6", None),      # several ranges: ignored, whole file
    ("items=0-1", None),
])
def test_byte_range_parse(header, expected):
    assert byte_range(header, 1000) == expected


@pytest.mark.parametrize("header", ["bytes=1000-", "bytes=5000-6000", "bytes=-0"])
def test_unsatisfiable_ranges(header):
    with pytest.raises(RangeNotSatisfiable):
        byte_range(header, 1000)


@pytest.fixture
def clip(small_study):
    stimulus = Stimulus.objects.filter(study=small_study, is_practice=False).first()
    return f"/s/small/clip/{stimulus.pk}.mp4", stimulus


def body(response):
    return b"".join(response.streaming_content)


@pytest.mark.django_db
def test_view_answers_ranges_like_a_file_server(client, clip, clip_file):
    url, _ = clip
    data = clip_file.read_bytes()
    size = len(data)
    whole = client.get(url)
    assert whole.status_code == 200 and body(whole) == data
    assert whole["Accept-Ranges"] == "bytes" and whole["Content-Type"] == "video/mp4"
    for header, start, end in [("bytes=0-1", 0, 1), ("bytes=0-0", 0, 0),
                               ("bytes=100-", 100, size - 1), ("bytes=-500", size - 500, size - 1)]:
        part = client.get(url, HTTP_RANGE=header)
        assert part.status_code == 206, header
        assert part["Content-Range"] == f"bytes {start}-{end}/{size}"
        assert part["Content-Length"] == str(end - start + 1)
        assert body(part) == data[start:end + 1]
    out = client.get(url, HTTP_RANGE=f"bytes={size}-")
    assert out.status_code == 416 and out["Content-Range"] == f"bytes */{size}"


@pytest.mark.django_db
def test_view_revalidates_and_ignores_stale_if_range(client, clip, clip_file):
    url, _ = clip
    etag = client.get(url)["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get(url, HTTP_RANGE="bytes=0-1", HTTP_IF_RANGE=etag).status_code == 206
    assert client.get(url, HTTP_RANGE="bytes=0-1", HTTP_IF_RANGE='"old"').status_code == 200


@pytest.mark.django_db
def test_only_files_of_the_study_are_served(client, clip, make_set, small_rows):
    from studyapp.services import study_build

    url, stimulus = clip
    other = study_build(manifest=make_set("other", small_rows), design="custom", slug="other").study
    assert client.get(f"/s/other/clip/{stimulus.pk}.mp4").status_code == 404
    assert client.get(f"/s/small/clip/{stimulus.pk}.png").status_code == 404  # no poster
    assert client.get(f"/s/small/clip/{stimulus.pk}.txt").status_code == 404
    assert other.slug == "other"


@pytest.mark.django_db
def test_accel_redirect_hands_bytes_to_nginx(client, clip, settings, small_study):
    url, stimulus = clip
    settings.STIMULI_ACCEL_REDIRECT = "/protected-stimuli/"
    response = client.get(url)
    assert response["X-Accel-Redirect"] == f"/protected-stimuli/small/{stimulus.file}"
