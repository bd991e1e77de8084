package dev.jobline.iam;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The run's least-privilege report: each grant of the functions' own Policies that no call of the tests used (a
 * permission to take away, or a path no test exercises), then every distinct call per function. Only as complete as
 * the tests that ran: the whole suite under {@code mvn verify}.
 */
final class LeastPrivilegeReport {
    static final Comparator<Statement.Grant> GRANT_ORDER = Comparator.comparing(Statement.Grant::function)
            .thenComparing(Statement.Grant::source).thenComparing(Statement.Grant::action)
            .thenComparing(Statement.Grant::resource);

    private LeastPrivilegeReport() {
    }

    static void write(Path file, long checked, Map<Statement.Grant, Long> grantUses, Map<IamLog.Exercised, Long> exercised,
            Set<IamLog.Exercised> outsideStack) {
        List<String> lines = new ArrayList<>();
        List<Statement.Grant> unused = grantUses.entrySet().stream().filter(e -> e.getValue() == 0).map(Map.Entry::getKey).toList();
        lines.add("# IAM: what the functions' Policies grant and what the tests exercised");
        lines.add("");
        lines.add(checked + " permission checks of SDK calls, " + exercised.size() + " distinct (function, action, resource); "
                + grantUses.size() + " grants (action x resource) in the functions' Policies, " + unused.size() + " never used.");
        lines.add("Only as complete as the tests that ran (all of them under `mvn verify`). ARNs without the provisioning's prefix.");
        lines.add("");
        lines.add("## Granted, never used by a call of the tests");
        lines.add("");
        if (unused.isEmpty()) {
            lines.add("(none)");
        }
        unused.forEach(grant -> lines.add("- " + grant.function() + " " + grant.source() + ": " + grant.action() + " on " + grant.resource()));
        lines.add("");
        lines.add("## Calls, per function (count)");
        lines.add("");
        exercised.forEach((call, count) -> lines.add("- " + call + " (" + count + ")"));
        lines.add("");
        lines.add("## Calls to tables or queues outside the stack, not checked (a test pointed a function at a missing one)");
        lines.add("");
        if (outsideStack.isEmpty()) {
            lines.add("(none)");
        }
        outsideStack.forEach(call -> lines.add("- " + call));
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.write(file, lines);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
