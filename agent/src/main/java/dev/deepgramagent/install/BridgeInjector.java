package dev.deepgramagent.install;

import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;

/**
 * Defines the bridge classes ({@code boot/} in the agent jar) in the bootstrap class loader, where
 * every class loader finds them. Defining them directly, instead of appending a jar to the
 * bootstrap class path, keeps class data sharing on for the app's classes and avoids the JVM's
 * "Sharing is only supported for boot loader classes" warning on the app's stdout.
 */
final class BridgeInjector {

    static final String BOOT_PREFIX = "boot/";
    private static final String SUFFIX = ".classdata";
    static final String INDEX = BOOT_PREFIX + "dev/deepgramagent/bridge/index.txt";

    private BridgeInjector() {
    }

    static void inject(Instrumentation inst, JarFile agentJar) throws IOException {
        Map<String, byte[]> classes = readBridgeClasses(agentJar);
        if (classes.isEmpty()) {
            throw new IOException("no bridge classes under " + BOOT_PREFIX + " in " + agentJar.getName());
        }
        try {
            Class.forName(classes.keySet().iterator().next(), false, null);
            return; // already defined by an earlier start in this JVM
        } catch (ClassNotFoundException expected) {
            // not there yet
        }
        try {
            defineInBootstrapLoader(inst, classes);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            appendAsJar(inst, classes);
        }
    }

    /**
     * JDK 11 to 25 have {@code jdk.internal.misc.Unsafe.defineClass}; exporting its package to the
     * agent's module alone (through Instrumentation, no command-line flag) makes it callable. Unlike
     * {@code sun.misc.Unsafe}, it prints no deprecation warning on recent JDKs.
     */
    private static void defineInBootstrapLoader(Instrumentation inst, Map<String, byte[]> classes)
            throws ReflectiveOperationException {
        Module javaBase = Object.class.getModule();
        Module agent = BridgeInjector.class.getModule();
        inst.redefineModule(javaBase, Set.of(), Map.of("jdk.internal.misc", Set.of(agent)), Map.of(), Set.of(), Map.of());
        Class<?> unsafeType = Class.forName("jdk.internal.misc.Unsafe");
        Object unsafe = unsafeType.getMethod("getUnsafe").invoke(null);
        Method define = unsafeType.getMethod("defineClass", String.class, byte[].class, int.class, int.class,
                ClassLoader.class, ProtectionDomain.class);
        for (Map.Entry<String, byte[]> c : classes.entrySet()) {
            define.invoke(unsafe, c.getKey(), c.getValue(), 0, c.getValue().length, null, null);
        }
    }

    /** Superclasses first: a class can only be defined once its superclass resolves. */
    static Map<String, byte[]> readBridgeClasses(JarFile jar) throws IOException {
        List<String> names = bridgeEntryNames(jar);
        names.sort(new ByRank());
        Map<String, byte[]> classes = new LinkedHashMap<>();
        for (String entry : names) {
            try (InputStream in = jar.getInputStream(jar.getJarEntry(entry))) {
                String className = entry.substring(BOOT_PREFIX.length(), entry.length() - SUFFIX.length()).replace('/', '.');
                classes.put(className, in.readAllBytes());
            }
        }
        return classes;
    }

    /**
     * The bridge's entries, from the index the build writes ({@link #INDEX}): walking the
     * jar's 2000 entries instead cost the start about 15 ms of CPU. Without the index (a jar laid out
     * by hand), the walk.
     */
    private static List<String> bridgeEntryNames(JarFile jar) throws IOException {
        List<String> names = new ArrayList<>();
        JarEntry index = jar.getJarEntry(INDEX);
        if (index != null) {
            try (InputStream in = jar.getInputStream(index)) {
                // Split by hand: a regular expression would be compiled on the start path.
                String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                for (int from = 0, to; from < text.length(); from = to + 1) {
                    to = text.indexOf('\n', from);
                    if (to < 0) {
                        to = text.length();
                    }
                    String name = text.substring(from, to).trim();
                    if (name.startsWith(BOOT_PREFIX) && name.endsWith(SUFFIX) && jar.getJarEntry(name) != null) {
                        names.add(name);
                    }
                }
            }
            if (!names.isEmpty()) {
                return names;
            }
        }
        Enumeration<JarEntry> entries = jar.entries();
        while (entries.hasMoreElements()) {
            String name = entries.nextElement().getName();
            if (name.startsWith(BOOT_PREFIX) && name.endsWith(SUFFIX)) {
                names.add(name);
            }
        }
        return names;
    }

    /** A class rather than a lambda on the start path (see CoarseClock.SYSTEM). */
    private static final class ByRank implements java.util.Comparator<String> {
        @Override
        public int compare(String a, String b) {
            int byRank = Integer.compare(rank(a), rank(b));
            return byRank != 0 ? byRank : a.compareTo(b);
        }
    }

    private static int rank(String entry) {
        // BridgeHandler is the superclass of the handlers; anonymous/nested classes come last.
        if (entry.endsWith("/BridgeHandler" + SUFFIX)) {
            return 0;
        }
        return entry.indexOf('$') >= 0 ? 2 : 1;
    }

    /**
     * Fallback for runtimes without that method: a jar with the bridge only. The JVM then turns
     * class data sharing off for app classes and says so once on stdout.
     */
    private static void appendAsJar(Instrumentation inst, Map<String, byte[]> classes) throws IOException {
        File file = File.createTempFile("deepgram-agent-bridge", ".jar");
        file.deleteOnExit();
        try (JarOutputStream out = new JarOutputStream(new FileOutputStream(file))) {
            for (Map.Entry<String, byte[]> c : classes.entrySet()) {
                out.putNextEntry(new JarEntry(c.getKey().replace('.', '/') + ".class"));
                out.write(c.getValue());
                out.closeEntry();
            }
        }
        inst.appendToBootstrapClassLoaderSearch(new JarFile(file));
    }
}
