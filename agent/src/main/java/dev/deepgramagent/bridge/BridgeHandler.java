package dev.deepgramagent.bridge;

/**
 * What advice woven into client libraries can report. Defined in the bootstrap class loader so every
 * class loader sees the same type; the agent's core (in the agent class loader) extends it.
 * Parameters use only JDK types, because the core cannot see the app's library classes.
 */
public abstract class BridgeHandler {

    /** A WebSocket object of {@code library} was created for {@code url}. */
    public void socketCreated(Object socket, String library, String url) {
    }
}
