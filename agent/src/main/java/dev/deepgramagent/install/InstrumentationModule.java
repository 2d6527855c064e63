package dev.deepgramagent.install;

import dev.deepgramagent.core.session.SocketControl;
import net.bytebuddy.agent.builder.AgentBuilder;

/** One instrumented client library: which types it matches and which advice it weaves. */
public interface InstrumentationModule {

    /** Short library name, also used as the {@code library} label: okhttp, jdk, netty, ... */
    String library();

    AgentBuilder extend(AgentBuilder builder);

    /** How the core writes to this library's sockets (send text, close). */
    SocketControl control();
}
