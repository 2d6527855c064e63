package dev.deepgramagent.install;

import dev.deepgramagent.core.session.SocketControl;
import net.bytebuddy.asm.AsmVisitorWrapper;

/** One instrumented client library: which type it instruments and which advice it weaves into it. */
public interface InstrumentationModule {

    /** Short library name, also used as the {@code library} label: okhttp, jdk, netty, ... */
    String library();

    /** The binary name of the one type the advice is woven into, e.g. okhttp3.internal.ws.RealWebSocket. */
    String typeName();

    /** The advice, built once at start and applied to every loaded copy of the type. */
    AsmVisitorWrapper advice();

    /** How the core writes to this library's sockets (send text, close). */
    SocketControl control();
}
