"""Evidence files in an S3-compatible object store: a local moto server on 127.0.0.1
(started and stopped by the test), the same resumable, hash-checked uploads."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from fieldapp.hq.context import open_hq
from fieldapp.hq.errors import HqError
from fieldapp.hq.services import evidence
from fieldapp.hq.services.auth import DeviceAuth
from fieldapp.hq.settings import Settings
from fieldapp.hq.throwaway import free_port
from fieldapp.sync.protocol import BlobState


@pytest.fixture
def s3_url() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def test_uploads_resume_and_land_in_the_object_store(tmp_path: Path, s3_url: str) -> None:
    import boto3

    settings = Settings(data_dir=tmp_path / "hq", blob_store="s3", s3_endpoint=s3_url,
                        s3_access_key="test", s3_secret_key="test")
    client = boto3.client("s3", endpoint_url=s3_url, region_name="us-east-1",
                          aws_access_key_id="test", aws_secret_access_key="test")
    client.create_bucket(Bucket=settings.s3_bucket)
    hq = open_hq(settings)
    data = b"\xff\xd8" + bytes(range(256)) * 3000
    sha = hashlib.sha256(data).hexdigest()
    assert evidence.upload(hq, sha256=sha, offset=0, size=len(data),
                           data=data[:100_000]).state is BlobState.PARTIAL
    with pytest.raises(HqError) as elsewhere:
        evidence.upload(hq, sha256=sha, offset=5, size=len(data), data=data[5:10])
    assert elsewhere.value.offset == 100_000
    done = evidence.upload(hq, sha256=sha, offset=100_000, size=len(data),
                           data=data[100_000:])
    assert done.state is BlobState.PRESENT
    stored = client.get_object(Bucket=settings.s3_bucket, Key=f"{sha[:2]}/{sha}")
    assert stored["Body"].read() == data
    assert not (tmp_path / "hq" / "blobs" / "partial" / sha).exists()
    assert evidence.status(hq, (sha,))[0].state is BlobState.PRESENT
    with hq.db.write() as conn:
        from fieldapp.hq.db import tables as t

        conn.execute(t.evidence_file.insert().values(sha256=sha, squad_id="sq"))
    got = b"".join(evidence.download(hq, device=DeviceAuth("d", "sq", "n"), sha256=sha))
    assert got == data
    wrong = hashlib.sha256(b"other").hexdigest()
    with pytest.raises(HqError):
        evidence.upload(hq, sha256=wrong, offset=0, size=4, data=b"abcd")
    assert not hq.blobs.has(wrong)
    hq.close()
