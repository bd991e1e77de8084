package dev.jobline.local;

import java.util.Map;

/**
 * A function of the template ({@code AWS::Serverless::Function}), as a local runner needs it: the handler, the
 * Timeout and MemorySize (the function's own, else Globals.Function's, else SAM's defaults of 3 s and 128 MB), and
 * its event sources by name. Its environment comes from {@link LocalResources#environment(String)}.
 *
 * @param logicalId     the function's logical id in the template, e.g. {@code WorkerFunction}
 * @param handler       the Handler string, e.g. {@code dev.jobline.worker.WorkerHandler::handleRequest}
 * @param timeoutSeconds the Timeout in seconds
 * @param memorySize    the MemorySize in MB
 * @param events        the Events, by their names in the template, in template order
 */
public record TemplateFunction(String logicalId, String handler, int timeoutSeconds, int memorySize,
        Map<String, EventSource> events) {

    public TemplateFunction {
        events = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(events));
    }

    /** The handler's class name: the part of {@link #handler()} before {@code ::}. */
    public String handlerClass() {
        int separator = handler.indexOf("::");
        return separator < 0 ? handler : handler.substring(0, separator);
    }

    /** The handler's method name: the part of {@link #handler()} after {@code ::}, else {@code handleRequest}. */
    public String handlerMethod() {
        int separator = handler.indexOf("::");
        return separator < 0 ? "handleRequest" : handler.substring(separator + 2);
    }

    /** The events of one type ({@code SQS}, {@code Schedule}, {@code HttpApi}, ...). */
    public java.util.List<EventSource> events(String type) {
        return events.values().stream().filter(event -> event.type().equals(type)).toList();
    }
}
