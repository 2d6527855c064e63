package dev.deepgramagent.install;

import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.Set;

/**
 * Defines an adapter's helper class in the app's class loader, beside the library it extends (the
 * Netty adapter's channel handler must be a Netty handler, so it must see the app's Netty). The
 * class's bytes come from the agent jar; the agent's own loader never loads it. As for the bridge,
 * {@code jdk.internal.misc.Unsafe.defineClass} is made callable by exporting its package to the
 * agent's module alone, through Instrumentation: no flag, no warning.
 */
public final class HelperClasses {

    private static volatile Instrumentation instrumentation;
    private static volatile Object[] definer; // {unsafe, defineClass}

    private HelperClasses() {
    }

    static void init(Instrumentation inst) {
        instrumentation = inst;
    }

    /**
     * The helper class {@code name} as {@code loader} sees it, defined there on first use. Callers
     * cache the result per loader; two threads racing here resolve to one class.
     */
    public static synchronized Class<?> define(ClassLoader loader, String name) throws ReflectiveOperationException, IOException {
        Class<?> known = findLoaded(loader, name);
        if (known != null) {
            return known;
        }
        byte[] bytes;
        try (InputStream in = HelperClasses.class.getClassLoader().getResourceAsStream(name.replace('.', '/') + ".class")) {
            if (in == null) {
                throw new IOException("no class file for " + name + " in the agent jar");
            }
            bytes = in.readAllBytes();
        }
        Object[] d = definer();
        return (Class<?>) ((Method) d[1]).invoke(d[0], name, bytes, 0, bytes.length, loader, null);
    }

    /** A class this agent already defined in {@code loader} (its lookup never reaches the agent jar). */
    private static Class<?> findLoaded(ClassLoader loader, String name) {
        try {
            Class<?> c = Class.forName(name, false, loader);
            return c.getClassLoader() == loader ? c : null;
        } catch (ClassNotFoundException | LinkageError notYet) {
            return null;
        }
    }

    private static Object[] definer() throws ReflectiveOperationException {
        Object[] d = definer;
        if (d == null) {
            Instrumentation inst = instrumentation;
            if (inst == null) {
                throw new IllegalStateException("the agent has not started");
            }
            Module javaBase = Object.class.getModule();
            inst.redefineModule(javaBase, Set.of(), Map.of("jdk.internal.misc", Set.of(HelperClasses.class.getModule())),
                    Map.of(), Set.of(), Map.of());
            Class<?> unsafeType = Class.forName("jdk.internal.misc.Unsafe");
            Object unsafe = unsafeType.getMethod("getUnsafe").invoke(null);
            Method define = unsafeType.getMethod("defineClass", String.class, byte[].class, int.class, int.class,
                    ClassLoader.class, java.security.ProtectionDomain.class);
            d = new Object[] {unsafe, define};
            definer = d;
        }
        return d;
    }
}
