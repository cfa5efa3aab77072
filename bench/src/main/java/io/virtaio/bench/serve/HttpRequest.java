package io.virtaio.bench.serve;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The head of one HTTP/1.x request (RFC 9112 §2–§3, §5, §6.3, §9.3): as much as a server of one static page needs.
 *
 * @param method       the request method, case-sensitive (RFC 9110 §9.1)
 * @param target       the request target as sent
 * @param minorVersion 0 or 1 (HTTP/1.0, HTTP/1.1)
 * @param keepAlive    whether the connection persists after the response (RFC 9112 §9.3)
 * @param bodyLength   bytes of body that follow the head (Content-Length; 0 without one)
 * @param headLength   bytes of the head, its empty line included (and any empty lines before it)
 * @param error        0, or the status to answer instead (400, 431, 501, 505), after which the connection closes
 */
record HttpRequest(String method, String target, int minorVersion, boolean keepAlive, long bodyLength,
                   int headLength, int error) {
    /** The longest head accepted; a longer one is answered 431 (RFC 6585 §5). */
    static final int MAX_HEAD_BYTES = 8192;

    private static HttpRequest failure(int status, int headLength) {
        return new HttpRequest("", "", 1, false, 0, headLength, status);
    }

    /**
     * Parses the head at the start of {@code buf}'s bytes {@code [0, limit)}.
     *
     * @return the request; null if the head is not complete yet (more bytes are needed)
     */
    static HttpRequest parse(ByteBuffer buf, int limit) {
        // RFC 9112 §2.2: ignore empty lines before the request line; accept a bare LF as a line end.
        int start = 0;
        while (start < limit && (buf.get(start) == '\r' || buf.get(start) == '\n')) {
            start++;
        }
        int end = -1;
        for (int i = start; i < limit && i < MAX_HEAD_BYTES; i++) {
            if (buf.get(i) == '\n' && i > start) {
                if (buf.get(i - 1) == '\n' || (i >= start + 2 && buf.get(i - 1) == '\r' && buf.get(i - 2) == '\n')) {
                    end = i + 1;
                    break;
                }
            }
        }
        if (end < 0) {
            return limit >= MAX_HEAD_BYTES ? failure(431, limit) : null;
        }
        byte[] bytes = new byte[end - start];
        buf.get(start, bytes);
        String[] lines = new String(bytes, StandardCharsets.ISO_8859_1).split("\r?\n");
        String[] requestLine = lines[0].split(" ", -1);
        if (requestLine.length != 3 || requestLine[0].isEmpty() || requestLine[1].isEmpty()) {
            return failure(400, end);
        }
        int minor = switch (requestLine[2]) {
            case "HTTP/1.1" -> 1;
            case "HTTP/1.0" -> 0;
            default -> requestLine[2].startsWith("HTTP/") ? -1 : -2;
        };
        if (minor < 0) {
            return failure(minor == -1 ? 505 : 400, end);
        }
        boolean close = false;
        boolean keepAliveToken = false;
        boolean host = false;
        long length = 0;
        boolean lengthSeen = false;
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            int colon = line.indexOf(':');
            // RFC 9112 §5.1: no whitespace between the name and the colon; §5.2: no obsolete line folding.
            if (colon <= 0 || line.charAt(colon - 1) == ' ' || line.charAt(colon - 1) == '\t'
                    || line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                return failure(400, end);
            }
            String name = line.substring(0, colon).toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).strip();
            switch (name) {
                case "host" -> {
                    if (host) {
                        return failure(400, end);               // RFC 9112 §3.2: exactly one Host
                    }
                    host = true;
                }
                case "connection" -> {
                    for (String token : value.split(",")) {
                        String t = token.strip().toLowerCase(Locale.ROOT);
                        close |= t.equals("close");
                        keepAliveToken |= t.equals("keep-alive");
                    }
                }
                case "content-length" -> {
                    long n = parseLength(value);
                    // RFC 9112 §6.3 (5): an invalid or conflicting length is unrecoverable.
                    if (n < 0 || (lengthSeen && n != length)) {
                        return failure(400, end);
                    }
                    length = n;
                    lengthSeen = true;
                }
                case "transfer-encoding" -> {
                    return failure(501, end);                    // no chunked bodies: nothing here takes a body
                }
                default -> {
                }
            }
        }
        if (minor == 1 && !host) {
            return failure(400, end);                            // RFC 9112 §3.2
        }
        boolean keepAlive = !close && (minor == 1 || keepAliveToken);
        return new HttpRequest(requestLine[0], requestLine[1], minor, keepAlive, length, end, 0);
    }

    /** Content-Length is 1*DIGIT (RFC 9110 §8.6); -1 if not, or if it is absurdly large. */
    private static long parseLength(String value) {
        if (value.isEmpty() || value.length() > 15) {
            return -1;
        }
        long n = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }
}
