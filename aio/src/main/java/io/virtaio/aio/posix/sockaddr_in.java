package io.virtaio.aio.posix;

/**
 * {@code struct sockaddr_in} (POSIX.1-2017 netinet/in.h). Unlike C, {@link #sin_port} and {@link #sin_addr} are in
 * host byte order: this is Java, and there is no htons to forget.
 */
public final class sockaddr_in {
    /** {@link Aio#AF_INET}. */
    public int sin_family = Aio.AF_INET;
    /** Port, 0..65535. */
    public int sin_port;
    /** IPv4 address, first octet most significant ({@link Aio#INADDR_ANY} = 0). */
    public int sin_addr;

    public sockaddr_in() {
    }

    public sockaddr_in(int sin_addr, int sin_port) {
        this.sin_addr = sin_addr;
        this.sin_port = sin_port;
    }

    @Override
    public String toString() {
        return ((sin_addr >>> 24) & 255) + "." + ((sin_addr >>> 16) & 255) + "." + ((sin_addr >>> 8) & 255) + "."
                + (sin_addr & 255) + ":" + sin_port;
    }
}
