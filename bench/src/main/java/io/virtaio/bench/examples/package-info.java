/**
 * Runnable examples: an echo server and client over two stacks joined by the in-process virtio wire, in POSIX
 * style ({@link io.virtaio.bench.examples.PosixEcho}: aio_read, aio_write, aio_suspend, lio_listio) and in Java
 * style ({@link io.virtaio.bench.examples.ChannelEcho}: asynchronous channels and CompletableFuture). Run them with
 * {@code ./virtaio example posix-echo} and {@code ./virtaio example java-echo}.
 */
package io.virtaio.bench.examples;
