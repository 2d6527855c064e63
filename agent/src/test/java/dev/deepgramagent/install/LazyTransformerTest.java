package dev.deepgramagent.install;

import dev.deepgramagent.errors.InternalErrors;
import org.junit.jupiter.api.Test;

import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LazyTransformerTest {

    private static final byte[] ORIGINAL = {1, 2, 3};
    private static final byte[] TRANSFORMED = {4, 5, 6};

    private static final ClassFileTransformer DELEGATE = new ClassFileTransformer() {
        @Override
        public byte[] transform(ClassLoader l, String n, Class<?> c, ProtectionDomain d, byte[] b) {
            return TRANSFORMED;
        }
    };

    @Test
    void otherClassesPassWithoutWaiting() {
        LazyTransformer gate = new LazyTransformer(Set.of("a/Target"), 60_000);
        long start = System.nanoTime();
        assertNull(gate.transform(null, "a/Other", null, null, ORIGINAL));
        assertNull(gate.transform(null, null, null, null, ORIGINAL));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5));
    }

    @Test
    void targetWaitsForTheDelegateThenUsesIt() throws Exception {
        LazyTransformer gate = new LazyTransformer(Set.of("a/Target"), 60_000);
        AtomicReference<byte[]> result = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        Thread loader = new Thread(() -> {
            result.set(gate.transform(null, "a/Target", null, null, ORIGINAL));
            done.countDown();
        });
        loader.start();
        assertTrue(!done.await(200, TimeUnit.MILLISECONDS), "must wait while the agent is starting");
        gate.settle(DELEGATE);
        assertTrue(done.await(10, TimeUnit.SECONDS));
        assertArrayEquals(TRANSFORMED, result.get());
    }

    @Test
    void failedStartLetsClassesLoadUntouched() {
        LazyTransformer gate = new LazyTransformer(Set.of("a/Target"), 60_000);
        gate.settle(null);
        assertNull(gate.transform(null, "a/Target", null, null, ORIGINAL));
    }

    @Test
    void waitIsBounded() {
        LazyTransformer gate = new LazyTransformer(Set.of("a/Target"), 50);
        assertNull(gate.transform(null, "a/Target", null, null, ORIGINAL));
    }

    @Test
    void aThrowingDelegateNeverReachesClassLoading() {
        LazyTransformer gate = new LazyTransformer(Set.of("a/Target"), 1000);
        gate.settle(new ClassFileTransformer() {
            @Override
            public byte[] transform(ClassLoader l, String n, Class<?> c, ProtectionDomain d, byte[] b) {
                throw new IllegalStateException("boom");
            }
        });
        long before = InternalErrors.count(InternalErrors.Kind.TRANSFORM);
        assertNull(gate.transform(null, "a/Target", null, null, ORIGINAL));
        assertEquals(before + 1, InternalErrors.count(InternalErrors.Kind.TRANSFORM), "counted as an internal error");
    }

    @Test
    void aLaterFailureDoesNotTakeBackAWorkingTransformer() {
        LazyTransformer gate = new LazyTransformer(Set.of("a/Target"), 1000);
        gate.settle(DELEGATE);
        gate.settle(null);
        assertArrayEquals(TRANSFORMED, gate.transform(null, "a/Target", null, null, ORIGINAL));
    }

    @Test
    void anInterruptedLoaderStillWaitsForTheAgentAndKeepsItsInterrupt() throws Exception {
        LazyTransformer gate = new LazyTransformer(Set.of("a/Target"), 60_000);
        AtomicReference<byte[]> result = new AtomicReference<>();
        AtomicBoolean stillInterrupted = new AtomicBoolean();
        CountDownLatch waiting = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        Thread loader = new Thread(() -> {
            Thread.currentThread().interrupt(); // interrupted before the load, and again during it
            waiting.countDown();
            result.set(gate.transform(null, "a/Target", null, null, ORIGINAL));
            stillInterrupted.set(Thread.currentThread().isInterrupted());
            done.countDown();
        });
        loader.start();
        assertTrue(waiting.await(10, TimeUnit.SECONDS));
        loader.interrupt();
        assertTrue(!done.await(200, TimeUnit.MILLISECONDS), "an interrupt does not end the wait for the agent");
        gate.settle(DELEGATE);
        assertTrue(done.await(10, TimeUnit.SECONDS));
        assertArrayEquals(TRANSFORMED, result.get(), "the class is instrumented");
        assertTrue(stillInterrupted.get(), "the app's interrupt is kept");
    }
}
