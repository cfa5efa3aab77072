package io.virtaio.aio.net;

/** An IPv4 address and port packed into a long, so a connect request carries its peer without allocating. */
public final class Endpoint {
    private Endpoint() {
    }

    public static long pack(int address, int port) {
        return (address & 0xFFFF_FFFFL) << 16 | (port & 0xFFFF);
    }

    public static int address(long packed) {
        return (int) (packed >>> 16);
    }

    public static int port(long packed) {
        return (int) (packed & 0xFFFF);
    }
}
