package dev.deepgramagent.bench.apps;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;

/**
 * The floor of any Java agent: a transformer that returns null for every class. What it costs
 * (the JVM hands every class it loads to the transformer, and gives up part of class data sharing
 * for a -javaagent) every agent pays; the start-up benchmark measures ours above it.
 */
public final class NoopAgent {

    private NoopAgent() {
    }

    public static void premain(String args, Instrumentation inst) {
        inst.addTransformer(new NameCheck(), true);
    }

    private static final class NameCheck implements ClassFileTransformer {
        @Override
        public byte[] transform(ClassLoader loader, String className, Class<?> redefined, ProtectionDomain domain, byte[] bytes) {
            return null; // every class loads as it is
        }
    }
}
