package io.virtaio.bench.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Request heads as RFC 9112 has them, and the malformed ones a server must refuse. */
class HttpRequestTest {
    private static HttpRequest parse(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer buf = ByteBuffer.allocate(Math.max(bytes.length, 1)).put(bytes);
        return HttpRequest.parse(buf, bytes.length);
    }

    @Test
    void aCurlRequestPersistsAndEndsWhereItsHeadEnds() {
        String head = "GET /index.html HTTP/1.1\r\nHost: 198.18.0.2\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n";
        HttpRequest r = parse(head + "GET / HTTP/1.1\r\n");
        assertEquals(new HttpRequest("GET", "/index.html", 1, true, 0, head.length(), 0), r,
                "the pipelined request behind it is not part of it");
    }

    @Test
    void anIncompleteHeadAsksForMoreBytes() {
        assertNull(parse(""));
        assertNull(parse("GET / HTTP/1.1\r\nHost: x\r\n"));
        assertNull(parse("GET / HTTP/1.1\r\nHost: x\r\n\r"));
    }

    @ParameterizedTest(name = "{0} with Connection: {1} persists: {2}")
    @CsvSource({
        "HTTP/1.1, '', true",
        "HTTP/1.1, close, false",
        "HTTP/1.1, 'Keep-Alive, Close', false",
        "HTTP/1.0, '', false",
        "HTTP/1.0, keep-alive, true",
        "HTTP/1.0, Keep-Alive, true",
    })
    void persistenceFollowsRfc9112Section9_3(String version, String connection, boolean keepAlive) {
        HttpRequest r = parse("GET / " + version + "\r\nHost: h\r\n"
                + (connection.isEmpty() ? "" : "Connection: " + connection + "\r\n") + "\r\n");
        assertEquals(0, r.error());
        assertEquals(keepAlive, r.keepAlive());
    }

    @Test
    void bareLineFeedsAndLeadingEmptyLinesAreAccepted() {
        HttpRequest r = parse("\r\n\nGET / HTTP/1.0\nAccept: */*\n\n");
        assertEquals(0, r.error());
        assertEquals("GET", r.method());
        assertEquals(0, r.minorVersion());
        assertEquals("\r\n\nGET / HTTP/1.0\nAccept: */*\n\n".length(), r.headLength());
    }

    @Test
    void aContentLengthBodyIsAnnounced() {
        HttpRequest r = parse("POST /form HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello");
        assertEquals(5, r.bodyLength());
        assertEquals(0, r.error(), "the method is the response's business, not the parser's");
    }

    /** The heads are written with visible \\r\\n (CSV trims whitespace), turned into CR LF here. */
    @ParameterizedTest(name = "{1}: {0}")
    @CsvSource(delimiter = '|', value = {
        "GET / HTTP/1.1\\r\\n\\r\\n                                              | 400",
        "GET / HTTP/1.1\\r\\nHost: a\\r\\nHost: b\\r\\n\\r\\n                        | 400",
        "GET /  HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n                                  | 400",
        "GET / HTTP/1.1\\r\\nHost : a\\r\\n\\r\\n                                  | 400",
        "GET / HTTP/1.1\\r\\nHost: a\\r\\n folded\\r\\n\\r\\n                        | 400",
        "GET / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: -1\\r\\n\\r\\n             | 400",
        "GET / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 1\\r\\nContent-Length: 2\\r\\n\\r\\n | 400",
        "GET / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n     | 501",
        "GET / HTTP/2.0\\r\\nHost: a\\r\\n\\r\\n                                   | 505",
        "GET / FTP/1.0\\r\\n\\r\\n                                               | 400",
    })
    void malformedHeadsAreAnsweredWithAnErrorAndClose(String head, int status) {
        HttpRequest r = parse(head.replace("\\r", "\r").replace("\\n", "\n"));
        assertEquals(status, r.error(), head);
        assertFalse(r.keepAlive());
    }

    @Test
    void aHeadLongerThanTheLimitIs431() {
        String big = "GET / HTTP/1.1\r\nHost: h\r\nX: " + "a".repeat(HttpRequest.MAX_HEAD_BYTES) + "\r\n\r\n";
        HttpRequest r = parse(big);
        assertEquals(431, r.error());
        assertTrue(r.headLength() >= HttpRequest.MAX_HEAD_BYTES);
    }

    @Test
    void responsesCarryTheirLengthAndTheConnectionDecision() {
        ByteBuffer out = ByteBuffer.allocate(HttpResponse.MAX_BYTES);
        assertEquals(200, HttpResponse.write(parse("GET / HTTP/1.0\r\n\r\n"), out));
        String text = StandardCharsets.UTF_8.decode(out).toString();
        assertTrue(text.startsWith("HTTP/1.1 200 OK\r\n"), text);
        assertTrue(text.contains("\r\nContent-Length: " + HttpResponse.page().length() + "\r\n"), text);
        assertTrue(text.contains("\r\nConnection: close\r\n"), text);
        assertTrue(text.matches("(?s).*\r\nDate: \\w{3}, \\d{2} \\w{3} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT\r\n.*"), text);
        assertTrue(text.endsWith("\r\n\r\n" + HttpResponse.page()), text);

        assertEquals(404, HttpResponse.write(parse("HEAD /x HTTP/1.1\r\nHost: h\r\n\r\n"), out));
        text = StandardCharsets.UTF_8.decode(out).toString();
        assertTrue(text.endsWith("\r\n\r\n") && text.contains("Content-Length: 10\r\n"), "HEAD: no body " + text);
        assertFalse(text.contains("Connection:"), "1.1 persists by default: " + text);

        assertEquals(405, HttpResponse.write(parse("DELETE / HTTP/1.1\r\nHost: h\r\n\r\n"), out));
        assertTrue(StandardCharsets.UTF_8.decode(out).toString().contains("\r\nAllow: GET, HEAD\r\n"));
    }
}
