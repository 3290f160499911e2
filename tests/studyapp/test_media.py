"""Clips are served with HTTP Range support (Safari probes with bytes=0-1)."""

import pytest
from django.conf import settings

from studyapp.media import RangeNotSatisfiable, byte_range


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
def clip(walker):
    """(url, stimulus, client): a clip of one of the walker's trials, and their browser."""
    stimulus = walker.participant.trials.get(index=1).stimulus
    return f"/s/small/clip/{stimulus.url_name}.mp4", stimulus, walker.client


def body(response):
    return b"".join(response.streaming_content)


@pytest.mark.django_db
def test_view_answers_ranges_like_a_file_server(clip, clip_file):
    url, _, client = clip
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
def test_a_clip_names_no_file_and_no_time(clip):
    """Neither the file's name nor its modification time (render order can give the
    method away) leaves the server, in a header or in the ETag."""
    url, stimulus, client = clip
    for response in (client.get(url), client.get(url, HTTP_RANGE="bytes=0-1")):
        assert "Content-Disposition" not in response and "Last-Modified" not in response
        path = settings.STIMULI_ROOT / stimulus.study.stimuli_dir / stimulus.file
        mtime = path.stat().st_mtime_ns
        assert f"{mtime:x}" not in response["ETag"] and str(mtime) not in response["ETag"]
        assert stimulus.stimulus_id not in str(response.headers)


@pytest.mark.django_db
def test_view_revalidates_and_ignores_stale_if_range(clip):
    url, _, client = clip
    etag = client.get(url)["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get(url, HTTP_RANGE="bytes=0-1", HTTP_IF_RANGE=etag).status_code == 206
    assert client.get(url, HTTP_RANGE="bytes=0-1", HTTP_IF_RANGE='"old"').status_code == 200


@pytest.mark.django_db
def test_clips_go_only_to_participants_whose_trials_show_them(clip, make_set, small_rows):
    from django.test import Client

    from studyapp.studies import study_build
    from tests.studyapp.participant import Walker

    url, stimulus, client = clip
    study_build(manifest=make_set("other", small_rows), design="custom", slug="other")
    assert Client().get(url).status_code == 404                       # no participant
    elsewhere = Walker("other")                                       # another study's
    assert elsewhere.client.get(url).status_code == 404
    assert elsewhere.client.get(url.replace("/s/small/", "/s/other/")).status_code == 404
    assert client.get(url.replace("/s/small/", "/s/other/")).status_code == 404
    assert client.get(url.replace(".mp4", ".png")).status_code == 404  # no poster
    assert client.get(url.replace(".mp4", ".txt")).status_code == 404
    assert client.get(f"/s/small/clip/{stimulus.pk}.mp4").status_code == 404  # numbers: gone
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_accel_redirect_hands_bytes_to_nginx(clip, settings):
    url, stimulus, client = clip
    settings.STIMULI_ACCEL_REDIRECT = "/protected-stimuli/"
    response = client.get(url)
    assert response["X-Accel-Redirect"] == f"/protected-stimuli/small/{stimulus.file}"
