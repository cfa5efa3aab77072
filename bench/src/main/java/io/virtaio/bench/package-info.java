/** JMH benchmarks of the I/O path and the {@code virtaio} command-line tool. */
package io.virtaio.bench;
