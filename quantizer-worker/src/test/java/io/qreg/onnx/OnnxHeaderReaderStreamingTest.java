package io.qreg.onnx;

import static io.qreg.onnx.ProtoBytes.bytesField;
import static io.qreg.onnx.ProtoBytes.concat;
import static io.qreg.onnx.ProtoBytes.lengthHeader;
import static io.qreg.onnx.ProtoBytes.opsetImport;
import static io.qreg.onnx.ProtoBytes.stringField;
import static io.qreg.onnx.ProtoBytes.tensorValueInfo;
import static io.qreg.onnx.ProtoBytes.varintField;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.lang.management.ManagementFactory;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The reader must stream past weights: a model much larger than anything it allocates. */
class OnnxHeaderReaderStreamingTest {

    private static final long WEIGHT_BYTES = 300L * 1024 * 1024;

    @Test
    void readsModelWith300MbInitializerAllocatingLessThan16Mb() throws IOException {
        // Graph: input x, one initializer whose raw_data is 300 MB generated on the fly, output y.
        byte[] input = bytesField(11, tensorValueInfo("x", 1, "batch", 64L));
        byte[] output = bytesField(12, tensorValueInfo("y", 1, "batch", 10L));
        byte[] initializerHead = concat(varintField(1, 1), varintField(2, 1), stringField(8, "huge.weight"),
                lengthHeader(9, WEIGHT_BYTES));
        byte[] initializerPrefix = concat(lengthHeader(5, initializerHead.length + WEIGHT_BYTES), initializerHead);
        byte[] graphTail = concat(stringField(2, "big"), input, output);
        long graphLength = initializerPrefix.length + WEIGHT_BYTES + graphTail.length;
        byte[] head = concat(varintField(1, 9), lengthHeader(7, graphLength), initializerPrefix);
        byte[] tail = concat(graphTail, opsetImport("", 21));
        long totalBytes = head.length + WEIGHT_BYTES + tail.length;
        InputStream model = new SequenceInputStream(Collections.enumeration(List.of(
                new ByteArrayInputStream(head), new UnwrittenBytes(WEIGHT_BYTES), new ByteArrayInputStream(tail))));

        com.sun.management.ThreadMXBean threads = hotspotThreadBean();
        long threadId = Thread.currentThread().getId();
        long allocatedBefore = threads.getThreadAllocatedBytes(threadId);
        OnnxModelHeader header = OnnxHeaderReader.read(model);
        long allocated = threads.getThreadAllocatedBytes(threadId) - allocatedBefore;

        assertThat(header.bytesRead()).isEqualTo(totalBytes);
        assertThat(header.initializerCount()).isEqualTo(1);
        assertThat(header.opset()).isEqualTo(21);
        assertThat(header.graphName()).isEqualTo("big");
        assertThat(header.inputs()).singleElement().hasToString("x float32 [batch, 64]");
        assertThat(header.outputs()).singleElement().hasToString("y float32 [batch, 10]");
        assertThat(allocated).as("bytes allocated while reading").isLessThan(16L * 1024 * 1024);
    }

    private static com.sun.management.ThreadMXBean hotspotThreadBean() {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeThat(bean).isInstanceOf(com.sun.management.ThreadMXBean.class);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        assumeThat(threads.isThreadAllocatedMemorySupported()).isTrue();
        threads.setThreadAllocatedMemoryEnabled(true);
        return threads;
    }

    /** A stream of {@code size} bytes that hands out whatever is in the caller's buffer, so it costs no time or heap. */
    private static final class UnwrittenBytes extends InputStream {
        private long left;

        UnwrittenBytes(long size) {
            this.left = size;
        }

        @Override
        public int read() {
            if (left == 0) {
                return -1;
            }
            left--;
            return 0;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (left == 0) {
                return -1;
            }
            int n = (int) Math.min(len, left);
            left -= n;
            return n;
        }
    }
}
