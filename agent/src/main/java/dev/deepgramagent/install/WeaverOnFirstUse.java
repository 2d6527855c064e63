package dev.deepgramagent.install;

import dev.deepgramagent.errors.InternalErrors;

import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import java.util.List;

/**
 * Stands in for the {@link Weaver} when the app's copies of the instrumented types were woven at
 * build time: it builds the weaver, and so loads Byte Buddy, only when another copy needs weaving
 * (a second class loader with a different version, say). This class must not touch Byte Buddy
 * types itself, or loading it would load them.
 */
final class WeaverOnFirstUse implements ClassFileTransformer {

    private final List<InstrumentationModule> modules;
    private volatile Weaver weaver;

    WeaverOnFirstUse(List<InstrumentationModule> modules) {
        this.modules = modules;
    }

    @Override
    public byte[] transform(ClassLoader loader, String internalName, Class<?> classBeingRedefined,
                            ProtectionDomain protectionDomain, byte[] classFile) {
        Weaver w = weaver();
        return w == null ? null : w.transform(loader, internalName, classBeingRedefined, protectionDomain, classFile);
    }

    /**
     * Builds the weaver (loading Byte Buddy) and weaves ahead with it, in the background: the JDK's
     * WebSocket classes, or those a class loader of the app will load next.
     */
    void warmUp(java.util.function.Consumer<Weaver> prepare) {
        Weaver.inBackground(() -> {
            Weaver w = weaver();
            if (w != null) {
                prepare.accept(w);
            }
        });
    }

    private Weaver weaver() {
        Weaver w = weaver;
        if (w == null) {
            synchronized (this) {
                w = weaver;
                if (w == null) {
                    try {
                        w = new Weaver(modules);
                    } catch (Throwable t) {
                        InternalErrors.record(InternalErrors.Kind.STARTUP, "weaver", t);
                        return null;
                    }
                    weaver = w;
                }
            }
        }
        return w;
    }
}
