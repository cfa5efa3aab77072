package io.virtaio.bench.serve;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** The responses of the HTTP service: its one page, and the errors. Thread-safe. */
public final class HttpResponse {
    private HttpResponse() {
    }

    /** The page served for {@code /} and {@code /index.html}. */
    static final byte[] PAGE = """
            <!DOCTYPE html>
            <html><head><meta charset="utf-8"><title>virtaio</title></head>
            <body><h1>virtaio</h1>
            <p>This page came over TCP/IP written in Java, on a virtio-net device in off-heap memory, through a Linux TAP.</p>
            </body></html>
            """.getBytes(StandardCharsets.UTF_8);

    /** The page, as served for {@code GET /}: what a client should get. */
    public static String page() {
        return new String(PAGE, StandardCharsets.UTF_8);
    }

    private static final byte[] NOT_FOUND = "not found\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NOT_ALLOWED = "only GET and HEAD\n".getBytes(StandardCharsets.US_ASCII);

    /** Head and body never exceed this. */
    static final int MAX_BYTES = 1024 + PAGE.length;

    /** The Date header value of the current second (RFC 9110 §6.6.1: an origin server with a clock sends one). */
    private record Stamp(long second, String text) {
    }

    private static volatile Stamp date = new Stamp(-1, "");
    /** IMF-fixdate (RFC 9110 §5.6.7): {@code Sun, 06 Nov 1994 08:49:37 GMT}, two-digit day. */
    private static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ENGLISH);

    /**
     * Writes the response to {@code request} into {@code out} (cleared first, flipped at the end).
     *
     * @return the status code sent
     */
    static int write(HttpRequest request, ByteBuffer out) {
        int status;
        byte[] body;
        String allow = null;
        if (request.error() != 0) {
            status = request.error();
            body = (reason(status) + "\n").getBytes(StandardCharsets.US_ASCII);
        } else if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
            status = 405;
            body = NOT_ALLOWED;
            allow = "GET, HEAD";                       // RFC 9110 §15.5.6: a 405 says what is allowed
        } else if (request.target().equals("/") || request.target().equals("/index.html")) {
            status = 200;
            body = PAGE;
        } else {
            status = 404;
            body = NOT_FOUND;
        }
        boolean keepAlive = request.keepAlive() && request.error() == 0;
        StringBuilder head = new StringBuilder(256)
                .append("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n")
                .append("Date: ").append(now()).append("\r\n")
                .append("Server: virtaio\r\n")
                .append("Content-Type: ").append(status == 200 ? "text/html; charset=utf-8" : "text/plain")
                .append("\r\n")
                .append("Content-Length: ").append(body.length).append("\r\n");
        if (allow != null) {
            head.append("Allow: ").append(allow).append("\r\n");
        }
        // RFC 9112 §9.3: an HTTP/1.0 client keeps the connection only if told keep-alive; 1.1 unless told close.
        if (!keepAlive) {
            head.append("Connection: close\r\n");
        } else if (request.minorVersion() == 0) {
            head.append("Connection: keep-alive\r\n");
        }
        head.append("\r\n");
        out.clear();
        out.put(head.toString().getBytes(StandardCharsets.US_ASCII));
        if (!request.method().equals("HEAD")) {
            out.put(body);
        }
        out.flip();
        return status;
    }

    static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 431 -> "Request Header Fields Too Large";
            case 501 -> "Not Implemented";
            case 505 -> "HTTP Version Not Supported";
            default -> "Status " + status;
        };
    }

    private static String now() {
        long second = System.currentTimeMillis() / 1000;
        Stamp s = date;
        if (s.second() != second) {
            s = new Stamp(second, IMF_FIXDATE.format(Instant.ofEpochSecond(second).atOffset(ZoneOffset.UTC)));
            date = s;
        }
        return s.text();
    }
}
