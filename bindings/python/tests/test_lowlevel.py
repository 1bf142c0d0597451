"""libgan.lowlevel against gan.h: every GAN_EXTERN function is bound with
the argument and return types of its prototype; every struct has the
fields, sizes and offsets the C compiler gives it; every enum value and
numeric #define of gan.h has the same value in Python."""
import ctypes
import os
import re
import shutil
import subprocess

import pytest

from libgan import lowlevel as ll


def _strip(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return "\n".join(l for l in text.splitlines() if not l.lstrip().startswith("#"))


def parse_functions(path):
    body = _strip(open(path).read())
    out = {}
    for m in re.finditer(r"GAN_EXTERN\s+([^;(]*?)\s*\b(gan_\w+)\s*\(([^;]*?)\)\s*;", body, re.S):
        ret, name, params = " ".join(m.group(1).split()), m.group(2), " ".join(m.group(3).split())
        args = [] if params == "void" else [p.strip() for p in params.split(",")]
        out[name] = (ret, args)
    return out


def parse_structs(path):
    body = _strip(open(path).read())
    out = {}
    for m in re.finditer(r"typedef struct (\w+)\s*\{(.*?)\}\s*(\w+)\s*;", body, re.S):
        fields = []
        for decl in m.group(2).split(";"):
            decl = " ".join(decl.split())
            if decl:
                t, name = decl.rsplit(" ", 1)
                fields.append((name, t))
        out[m.group(3)] = fields
    return out


def parse_constants(path):
    text = re.sub(r"/\*.*?\*/", " ", open(path).read(), flags=re.S)
    names = []
    for m in re.finditer(r"^#define (GAN_[A-Z0-9_]+)[ \t]+\S", text, re.M):
        n = m.group(1)
        if n.endswith("_INIT") or n == "GAN_EXTERN":
            continue
        names.append(n)
    for m in re.finditer(r"typedef enum \w+\s*\{(.*?)\}", text, re.S):
        names += re.findall(r"\b(GAN_[A-Z0-9_]+)\s*=", m.group(1))
    return names


BASE = {"int": ctypes.c_int, "unsigned": ctypes.c_uint, "unsigned int": ctypes.c_uint,
        "size_t": ctypes.c_size_t, "uint64_t": ctypes.c_uint64, "int64_t": ctypes.c_int64,
        "uint32_t": ctypes.c_uint32, "int32_t": ctypes.c_int32, "float": ctypes.c_float,
        "double": ctypes.c_double}


def ctype_of(decl, is_param=True):
    """The ctypes type a C declaration (with or without a name) maps to."""
    d = decl.replace("const ", "").strip()
    d = re.sub(r"\s*\*\s*", " * ", d)
    array = re.search(r"\[\w+\]$", d)
    if array:  # an array parameter decays to a pointer
        d = d[:array.start()].rsplit(" ", 1)[0] + " *"
    tokens = d.split()
    if is_param and len(tokens) > 1 and tokens[-1] != "*":
        tokens = tokens[:-1]  # the parameter's name
    stars = tokens.count("*")
    base = " ".join(t for t in tokens if t != "*")
    if base == "void" and stars == 0:
        return None
    if base == "void" and stars == 1:
        return ctypes.c_void_p
    if base == "char" and stars >= 1:  # strings; char ** is a pointer to them
        t = ctypes.c_char_p
        stars -= 1
    elif base in BASE:
        t = BASE[base]
    elif base in ("gan_log_fn", "gan_progress_fn"):
        t = getattr(ll, base)
    else:
        t = getattr(ll, base)  # a struct or opaque handle of gan.h
    for _ in range(stars):
        t = ctypes.POINTER(t)
    return t


def same(a, b):
    if a is None or b is None:
        return a is b
    return a == b


def test_every_function_is_bound_with_its_prototype(header_path):
    funcs = parse_functions(header_path)
    assert len(funcs) > 90, "gan.h parse found only %d functions" % len(funcs)
    missing = sorted(set(funcs) - set(ll.FUNCTIONS))
    assert not missing, "functions of gan.h without a binding: %s" % missing
    extra = sorted(set(ll.FUNCTIONS) - set(funcs))
    assert not extra, "bound functions not in gan.h: %s" % extra
    for name, (ret, args) in funcs.items():
        res, argtypes = ll.FUNCTIONS[name]
        assert same(ctype_of(ret, is_param=False), res), "%s returns %s, bound as %s" % (name, ret, res)
        assert len(args) == len(argtypes), "%s has %d arguments, bound with %d" % (
            name, len(args), len(argtypes))
        for i, (a, t) in enumerate(zip(args, argtypes)):
            assert same(ctype_of(a), t), "%s argument %d (%s) bound as %s" % (name, i, a, t)
        fn = getattr(ll, name)
        assert fn.argtypes == argtypes and fn.restype == res


def _cc():
    cc = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
    if not cc:
        pytest.skip("no C compiler (set CC) to compare layouts with")
    return cc


def _compile_and_run(tmp_path, header_path, body):
    src = tmp_path / "layout.c"
    src.write_text('#include <stdio.h>\n#include <stddef.h>\n#include "gan.h"\n'
                   "int main(void)\n{\n" + body + "    return 0;\n}\n")
    exe = tmp_path / "layout"
    subprocess.run([_cc(), "-std=c11", "-I", os.path.dirname(os.path.abspath(header_path)),
                    str(src), "-o", str(exe)], check=True)
    out = subprocess.run([str(exe)], check=True, capture_output=True, text=True).stdout
    return dict(line.split(" ", 1) for line in out.splitlines())


def test_struct_layouts_match_the_compiler(tmp_path, header_path):
    structs = parse_structs(header_path)
    assert len(structs) >= 7
    body = ""
    for s, fields in structs.items():
        body += '    printf("sizeof:%s %%zu\\n", sizeof(%s));\n' % (s, s)
        for f, _ in fields:
            body += '    printf("offsetof:%s.%s %%zu\\n", offsetof(%s, %s));\n' % (s, f, s, f)
    c = _compile_and_run(tmp_path, header_path, body)
    for s, fields in structs.items():
        py = getattr(ll, s)
        assert [f for f, _ in py._fields_] == [f for f, _ in fields], "%s fields differ" % s
        assert ctypes.sizeof(py) == int(c["sizeof:" + s]), "sizeof %s" % s
        for (f, ctype_decl), (pf, pt) in zip(fields, py._fields_):
            assert getattr(py, f).offset == int(c["offsetof:%s.%s" % (s, f)]), "%s.%s" % (s, f)
            assert same(ctype_of(ctype_decl, is_param=False), pt), "%s.%s type" % (s, f)


def test_constants_match_the_compiler(tmp_path, header_path):
    names = parse_constants(header_path)
    assert "GAN_EABORTED" in names and "GAN_ABI_VERSION" in names
    body = ""
    for n in names:
        if n == "GAN_VERSION_STRING":
            body += '    printf("%s %%s\\n", %s);\n' % (n, n)
        else:
            body += '    printf("%s %%lld\\n", (long long)(%s));\n' % (n, n)
    c = _compile_and_run(tmp_path, header_path, body)
    for n in names:
        assert hasattr(ll, n), "constant %s of gan.h is missing from libgan.lowlevel" % n
        want = c[n] if n == "GAN_VERSION_STRING" else int(c[n])
        assert getattr(ll, n) == want, "%s: gan.h %r, Python %r" % (n, want, getattr(ll, n))


def test_loaded_library_matches():
    assert ll.gan_abi_version() == ll.GAN_ABI_VERSION
    assert ll.gan_version_string().decode() == ll.GAN_VERSION_STRING
