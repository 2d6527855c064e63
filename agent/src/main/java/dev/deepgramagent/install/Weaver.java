package dev.deepgramagent.install;

import dev.deepgramagent.errors.InternalErrors;
import dev.deepgramagent.logging.AgentLogging;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.dynamic.scaffold.TypeValidation;
import net.bytebuddy.implementation.Implementation;
import net.bytebuddy.pool.TypePool;
import org.slf4j.Logger;

import java.io.InputStream;
import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Weaves each module's advice into its one type. Byte Buddy's {@code decorate} only runs the
 * advice's ASM visitors over the class file: no new members, no class format change (so the
 * same path serves retransformation), and none of the AgentBuilder machinery, whose start-up
 * (matchers, listeners, a transformer class generated at run time) cost more than the weaving.
 */
final class Weaver implements ClassFileTransformer {

    private final Logger log = AgentLogging.logger("install");
    private final Map<String, AsmVisitorWrapper> adviceByInternalName = new HashMap<>();
    private final Map<String, Prepared> prepared = new ConcurrentHashMap<>();
    private final ByteBuddy byteBuddy = new ByteBuddy()
            .with(TypeValidation.DISABLED)
            .with(Implementation.Context.Disabled.Factory.INSTANCE);

    Weaver(List<InstrumentationModule> modules) {
        for (InstrumentationModule module : modules) {
            for (String type : module.typeNames()) {
                adviceByInternalName.put(type.replace('.', '/'), module.advice(type));
            }
        }
    }

    @Override
    public byte[] transform(ClassLoader loader, String internalName, Class<?> classBeingRedefined,
                            ProtectionDomain protectionDomain, byte[] classFile) {
        AsmVisitorWrapper advice = adviceByInternalName.get(internalName);
        if (advice == null) {
            return null;
        }
        String name = internalName.replace('/', '.');
        try {
            Prepared ahead = prepared.get(internalName);
            byte[] woven = ahead != null && ahead.matches(loader, classFile)
                    ? ahead.woven.clone()
                    : weave(loader, name, classFile, advice);
            log.debug("instrumented {} ({})", name, InstrumentedTypes.howInstrumented(classBeingRedefined != null));
            return woven;
        } catch (Throwable t) {
            // The class loads unchanged: the app works, this library is just not instrumented.
            InternalErrors.record(InternalErrors.Kind.TRANSFORM, name, t);
            return null;
        }
    }

    /**
     * Weaves, in the background, the copy of each type that {@code loader} would load (the system
     * class loader at start; the loader of a class that hints at a library's first use later), so
     * that the app's first session does not wait for the weaving. The result is used only for the
     * very same bytes from the very same loader.
     */
    void prepare(ClassLoader loader) {
        if (loader == null) {
            return;
        }
        for (Map.Entry<String, AsmVisitorWrapper> e : adviceByInternalName.entrySet()) {
            Prepared known = prepared.get(e.getKey());
            if (known != null && known.loader == loader) {
                continue;
            }
            java.net.URL where = loader.getResource(e.getKey() + ".class");
            if (where == null || "jrt".equals(where.getProtocol())) {
                continue; // not on the class path, or a JDK class (loaded by another loader): woven at load
            }
            try (InputStream in = where.openStream()) {
                byte[] classFile = in.readAllBytes();
                String name = e.getKey().replace('/', '.');
                prepared.put(e.getKey(), new Prepared(loader, classFile, weave(loader, name, classFile, e.getValue())));
            } catch (Throwable t) {
                log.debug("could not prepare {} ahead of its loading: {}", e.getKey(), t.toString());
            }
        }
    }

    /**
     * Weaves the JDK's own instrumented classes (java.net.http) ahead of their loading, from the
     * module's bytes, for the platform loader that will load them. Called in the background when
     * the app first touches java.net.http.HttpClient, so its first WebSocket does not wait for it.
     */
    void prepareJdkClasses() {
        Module module = ModuleLayer.boot().findModule("java.net.http").orElse(null);
        if (module == null) {
            return;
        }
        ClassLoader platform = ClassLoader.getPlatformClassLoader();
        for (Map.Entry<String, AsmVisitorWrapper> e : adviceByInternalName.entrySet()) {
            if (prepared.containsKey(e.getKey()) || !e.getKey().startsWith("jdk/internal/net/http/")) {
                continue;
            }
            try (InputStream in = module.getResourceAsStream(e.getKey() + ".class")) {
                if (in == null) {
                    continue;
                }
                byte[] classFile = in.readAllBytes();
                String name = e.getKey().replace('/', '.');
                prepared.put(e.getKey(), new Prepared(platform, classFile, weave(platform, name, classFile, e.getValue())));
            } catch (Throwable t) {
                log.debug("could not prepare {} ahead of its loading: {}", e.getKey(), t.toString());
            }
        }
    }

    /** {@link #prepareJdkClasses} on a background thread of its own, once. */
    static void inBackground(Runnable task) {
        Thread t = new Thread(() -> {
            try {
                task.run();
            } catch (Throwable e) {
                InternalErrors.record(InternalErrors.Kind.STARTUP, "weaver", e);
            }
        }, "deepgram-agent-weave");
        t.setDaemon(true);
        t.start();
    }

    private static final class Prepared {
        final ClassLoader loader;
        final byte[] classFile;
        final byte[] woven;

        Prepared(ClassLoader loader, byte[] classFile, byte[] woven) {
            this.loader = loader;
            this.classFile = classFile;
            this.woven = woven;
        }

        boolean matches(ClassLoader otherLoader, byte[] otherClassFile) {
            return loader == otherLoader && Arrays.equals(classFile, otherClassFile);
        }
    }

    byte[] weave(ClassLoader loader, String name, byte[] classFile, AsmVisitorWrapper advice) {
        // The class's own bytes first; its loader answers for the types it refers to.
        ClassFileLocator locator = new ClassFileLocator.Compound(
                ClassFileLocator.Simple.of(name, classFile),
                loader == null ? ClassFileLocator.ForClassLoader.ofBootLoader() : ClassFileLocator.ForClassLoader.of(loader));
        TypePool pool = TypePool.Default.WithLazyResolution.of(locator);
        TypeDescription type = pool.describe(name).resolve();
        return byteBuddy.decorate(type, locator)
                .visit(advice)
                .make(pool)
                .getBytes();
    }
}
