package dev.deepgramagent.install;

import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The only transformer registered on the {@code premain} path. It compares class names against a
 * small set and returns at once for every other class, so start-up pays no Byte Buddy cost. When a
 * target class loads, it hands over to the Byte Buddy transformer prepared in the background,
 * waiting for it at most {@code init.timeout}.
 */
final class LazyTransformer implements ClassFileTransformer {

    private final Set<String> targetInternalNames;
    private final long waitMillis;
    private final CountDownLatch settled = new CountDownLatch(1);
    private volatile ClassFileTransformer delegate;

    LazyTransformer(Set<String> targetInternalNames, long waitMillis) {
        this.targetInternalNames = targetInternalNames;
        this.waitMillis = waitMillis;
    }

    boolean isTarget(String internalName) {
        return internalName != null && targetInternalNames.contains(internalName);
    }

    /** Called once by the background start: with the real transformer, or null if it failed. */
    void settle(ClassFileTransformer transformer) {
        delegate = transformer;
        settled.countDown();
    }

    @Override
    public byte[] transform(Module module, ClassLoader loader, String className, Class<?> classBeingRedefined,
                            ProtectionDomain protectionDomain, byte[] classfileBuffer) {
        if (!isTarget(className)) {
            return null;
        }
        try {
            ClassFileTransformer d = awaitDelegate();
            return d == null ? null
                    : d.transform(module, loader, className, classBeingRedefined, protectionDomain, classfileBuffer);
        } catch (Throwable t) {
            // Byte Buddy reports its own errors through the listener; anything else is dropped
            // here because a transformer must never throw into class loading.
            return null;
        }
    }

    @Override
    public byte[] transform(ClassLoader loader, String className, Class<?> classBeingRedefined,
                            ProtectionDomain protectionDomain, byte[] classfileBuffer) {
        return transform(null, loader, className, classBeingRedefined, protectionDomain, classfileBuffer);
    }

    private ClassFileTransformer awaitDelegate() throws InterruptedException {
        ClassFileTransformer d = delegate;
        if (d == null && settled.getCount() > 0) {
            settled.await(waitMillis, TimeUnit.MILLISECONDS);
            d = delegate;
        }
        return d;
    }
}
