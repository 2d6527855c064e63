package dev.deepgramagent.install;

import dev.deepgramagent.core.session.SocketControl;
import net.bytebuddy.asm.AsmVisitorWrapper;

import java.util.List;

/**
 * One instrumented client library: the types it instruments, the advice woven into each, and how
 * the engine writes to its sockets. Registering a library is one entry in {@code AgentStartup.MODULES}
 * plus its type names in {@code InstrumentedTypes} (the start-up gate, which must not load this).
 */
public interface InstrumentationModule {

    /** Short library name, also used as the {@code library} label: okhttp, jdk, netty, ... */
    String library();

    /** The binary names of the types the advice is woven into, e.g. okhttp3.internal.ws.RealWebSocket. */
    List<String> typeNames();

    /** The advice for one of {@link #typeNames()}, built once at start and applied to every loaded copy. */
    AsmVisitorWrapper advice(String typeName);

    /** How the core writes to this library's sockets (send text, close); called at the library's first session, not at start. */
    SocketControl control();

    /** Whether the library can exist in this JVM at all (the JDK client: the java.net.http module is in the image). */
    default boolean available() {
        return true;
    }

    /**
     * Whether copies of these types are woven at build time ({@link Prewoven}). A library whose
     * classes come with the JDK cannot be: its types are woven when they load.
     */
    default boolean prewovenAtBuild() {
        return true;
    }
}
