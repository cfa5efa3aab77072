/** POSIX asynchronous I/O over the stack, and the Java async API on top. */
package io.virtaio.aio;
