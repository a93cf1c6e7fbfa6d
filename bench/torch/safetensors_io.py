"""Reads safetensors files into numpy arrays, with no dependency beyond numpy.

Why: the PyTorch peers under bench/torch must read the project's model fixtures
(`/work/shared/models`, F64) and checkpoints (F32) without pip installs, and
Debian's python3-torch ships no `safetensors` package.

The format: 8 bytes little-endian unsigned header length N, then N bytes of
JSON (`name -> {dtype, shape, data_offsets: [begin, end]}` plus an optional
`__metadata__` map of strings), then the raw little-endian tensor bytes, with
offsets relative to the end of the header.

Run as a script to list a file's tensors:

    /usr/bin/python3 bench/torch/safetensors_io.py /work/shared/models/lm-sas-step.safetensors
"""

import json
import struct
import sys

import numpy as np

_DTYPES = {
    "F64": np.dtype("<f8"),
    "F32": np.dtype("<f4"),
    "F16": np.dtype("<f2"),
    "I64": np.dtype("<i8"),
    "I32": np.dtype("<i4"),
    "I16": np.dtype("<i2"),
    "I8": np.dtype("i1"),
    "U8": np.dtype("u1"),
    "BOOL": np.dtype("?"),
}


class SafetensorsError(ValueError):
    """A file that is not valid safetensors; the message names the file and the problem."""


def read_safetensors(path):
    """Returns (tensors, metadata): name -> numpy array (a copy, native order) and the `__metadata__` dict ({} if none).

    >>> tensors, meta = read_safetensors('/work/shared/models/lm-mha-step.safetensors')
    >>> tensors['loss'].shape
    ()
    """
    with open(path, "rb") as f:
        blob = f.read()
    if len(blob) < 8:
        raise SafetensorsError(f"{path}: {len(blob)} bytes, expected at least the 8-byte header length")
    (header_len,) = struct.unpack("<Q", blob[:8])
    if 8 + header_len > len(blob):
        raise SafetensorsError(f"{path}: header length {header_len} runs past the end of the file ({len(blob)} bytes)")
    try:
        header = json.loads(blob[8 : 8 + header_len].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise SafetensorsError(f"{path}: header is not JSON ({e})") from None
    data = memoryview(blob)[8 + header_len :]
    metadata = header.pop("__metadata__", None) or {}
    tensors = {}
    for name, entry in header.items():
        dtype = _DTYPES.get(entry.get("dtype"))
        if dtype is None:
            raise SafetensorsError(f"{path}: tensor '{name}' has dtype {entry.get('dtype')!r}, expected one of {sorted(_DTYPES)}")
        shape = tuple(int(d) for d in entry["shape"])
        begin, end = (int(o) for o in entry["data_offsets"])
        count = int(np.prod(shape, dtype=np.int64))
        if end - begin != count * dtype.itemsize or end > len(data) or begin < 0:
            raise SafetensorsError(f"{path}: tensor '{name}' data_offsets [{begin}, {end}] do not hold shape {list(shape)} of {entry['dtype']}")
        tensors[name] = np.frombuffer(data[begin:end], dtype=dtype).reshape(shape).astype(dtype.newbyteorder("="), copy=True)
    return tensors, metadata


def main(argv):
    if len(argv) != 1:
        print("usage: safetensors_io.py FILE", file=sys.stderr)
        return 2
    tensors, metadata = read_safetensors(argv[0])
    for key, value in metadata.items():
        print(f"__metadata__.{key} = {value}")
    for name, array in tensors.items():
        print(f"{name} {array.dtype} {list(array.shape)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
