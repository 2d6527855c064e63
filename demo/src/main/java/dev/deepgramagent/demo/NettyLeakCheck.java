package dev.deepgramagent.demo;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;

/**
 * For runs with Netty's leak detection on ({@code -Dio.netty.leakDetection.level=paranoid}): before
 * the app exits, lets the garbage collector find buffers that were never released, and allocates
 * once more, which is when Netty reports them ("LEAK: ..." in the app's log).
 */
public final class NettyLeakCheck {

    private NettyLeakCheck() {
    }

    public static void beforeExit() {
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            return;
        }
        for (int i = 0; i < 3; i++) {
            System.gc();
            ByteBuf probe = PooledByteBufAllocator.DEFAULT.directBuffer(16);
            probe.release();
            try {
                Thread.sleep(100); // the collector's reference processing runs on its own thread
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        SampleApp.out("LEAK_CHECK done");
    }
}
