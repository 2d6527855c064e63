package dev.deepgramagent.install;

import dev.deepgramagent.errors.InternalErrors;

import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

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
    private final CountDownLatch coreReady = new CountDownLatch(1);
    private volatile boolean coreInstalled;
    private volatile BiConsumer<String, Boolean> onPrewoven;
    private volatile ClassFileTransformer delegate;

    LazyTransformer(Set<String> targetInternalNames, long waitMillis) {
        this.targetInternalNames = targetInternalNames;
        this.waitMillis = waitMillis;
    }

    boolean isTarget(String internalName) {
        return internalName != null && targetInternalNames.contains(internalName);
    }

    /**
     * Called once by the background start when the bridge leads to the core (or never will), with
     * what to tell (the class name, and whether it was retransformed) when a prewoven class is used.
     */
    void coreReady(boolean installed, BiConsumer<String, Boolean> prewovenListener) {
        onPrewoven = prewovenListener;
        coreInstalled = installed;
        coreReady.countDown();
    }

    /**
     * Called by the background start: with the real transformer, or null if it failed. Only the
     * first call counts, so a failure later in the start cannot take back a working transformer.
     */
    synchronized void settle(ClassFileTransformer transformer) {
        if (settled.getCount() == 0) {
            return;
        }
        delegate = transformer;
        if (transformer == null) {
            coreReady(coreInstalled, onPrewoven);
        }
        settled.countDown();
    }

    /**
     * Runs {@code task} once, with the loader, when a class named {@code internalName} loads: a hint
     * of what the app will use next. The task must not block (it starts a thread).
     */
    void onFirstLoad(String internalName, Consumer<ClassLoader> task) {
        hints.put(internalName, task);
    }

    private final Map<String, Consumer<ClassLoader>> hints = new ConcurrentHashMap<>();

    @Override
    public byte[] transform(Module module, ClassLoader loader, String className, Class<?> classBeingRedefined,
                            ProtectionDomain protectionDomain, byte[] classfileBuffer) {
        if (!isTarget(className)) {
            if (className != null && !hints.isEmpty()) {
                Consumer<ClassLoader> hint = hints.remove(className); // the name's hash is cached by isTarget
                if (hint != null) {
                    hint.accept(loader); // starts a thread: never blocks this class load
                }
            }
            return null;
        }
        try {
            // The versions woven at build time need only the core, not Byte Buddy.
            byte[] prewoven = Prewoven.lookup(className, classfileBuffer);
            if (prewoven != null) {
                if (!awaitCore()) {
                    return null;
                }
                BiConsumer<String, Boolean> listener = onPrewoven;
                if (listener != null) {
                    listener.accept(className.replace('/', '.'), classBeingRedefined != null);
                }
                return prewoven;
            }
            ClassFileTransformer d = awaitDelegate();
            return d == null ? null
                    : d.transform(module, loader, className, classBeingRedefined, protectionDomain, classfileBuffer);
        } catch (Throwable t) {
            // A transformer must never throw into class loading: the class loads uninstrumented.
            InternalErrors.record(InternalErrors.Kind.TRANSFORM, className.replace('/', '.'), t);
            return null;
        }
    }

    @Override
    public byte[] transform(ClassLoader loader, String className, Class<?> classBeingRedefined,
                            ProtectionDomain protectionDomain, byte[] classfileBuffer) {
        return transform(null, loader, className, classBeingRedefined, protectionDomain, classfileBuffer);
    }

    private boolean awaitCore() {
        awaitBounded(coreReady);
        return coreInstalled;
    }

    private ClassFileTransformer awaitDelegate() {
        ClassFileTransformer d = delegate;
        if (d == null) {
            awaitBounded(settled);
            d = delegate;
        }
        return d;
    }

    /**
     * Waits at most {@code init.timeout}, through interrupts: an app thread interrupted while its
     * class load waits must not lose the instrumentation. The interrupt is restored afterwards.
     */
    private void awaitBounded(CountDownLatch latch) {
        if (latch.getCount() == 0) {
            return;
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
        boolean interrupted = false;
        try {
            long left;
            while ((left = deadline - System.nanoTime()) > 0) {
                try {
                    latch.await(left, TimeUnit.NANOSECONDS);
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
