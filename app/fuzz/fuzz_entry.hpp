#pragma once
// The one entry point shared by the libFuzzer target (fuzz_target.cpp, clang only) and the g++
// replay test (tests/app/fuzz_replay_test.cpp): the clinic app's request checks without sockets
// (app/src/http.cpp) on hostile request targets, header values and data-directory paths.

#include <cstddef>
#include <cstdint>

namespace insole::app::fuzz {

/// The input is split at its first three newlines into a request target, a relative file path,
/// a method and the rest (header values, one a line: host, origin, sec-fetch-site, x-csrf-token,
/// cookie, authorization); missing parts are empty. Returns 0. Aborts (so the fuzzer reports a
/// crash) when a promise of http.hpp breaks:
///  - parse_target: a failure is invalid_argument; an accepted path starts with '/', is UTF-8,
///    holds no control character, backslash, '.' / '..' or empty segment; query keys and values
///    are UTF-8 without control characters;
///  - resolve_in_dir, on the path of an accepted target, on each query value and on the raw file
///    path, inside a data directory that holds links pointing out of it: an accepted result is
///    strictly inside the canonical data directory, and stays there when canonicalised again;
///  - check_request, under a loopback policy (allowed hosts, CSRF token) and a token policy: a
///    request let through uses GET, HEAD or POST, has a target parse_target accepts, names an
///    allowed host, carries the access token when one is set, and for POST is same-origin with
///    the CSRF token; a refusal is 400, 401, 403 or 405 with a JSON {"error": ...} body.
int run_one(const std::uint8_t* data, std::size_t size);

}  // namespace insole::app::fuzz
