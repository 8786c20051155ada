// The native stack's Kafka principals and ACLs, applied with Kafka's own Admin client (kafka-clients jar).
//
//   java -cp '<kafka libs>/*:<this class>' StackAcls <admin client properties> <plan file>
//
// The plan has one line per fact (written by deploy/native/nativestack/kafka.py from the service registry):
//   user <name> <password file>                     a SCRAM-SHA-512 credential, created or reset
//   acl <principal> <resource> <pattern> <name> <operation>     an ALLOW binding, host *
// Every listed principal ends with exactly the plan's bindings: missing ones are created, others deleted.
// aiokafka has no ACL or SCRAM administration, which is why this small class exists.

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;

public final class StackAcls {
    private static final int SCRAM_ITERATIONS = 8192;

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: StackAcls <admin properties> <plan>");
            System.exit(2);
        }
        Properties props = new Properties();
        try (var in = Files.newInputStream(Path.of(args[0]))) {
            props.load(in);
        }
        List<UserScramCredentialAlteration> users = new ArrayList<>();
        Set<AclBinding> wanted = new LinkedHashSet<>();
        Set<String> principals = new LinkedHashSet<>();
        for (String raw : Files.readAllLines(Path.of(args[1]), StandardCharsets.UTF_8)) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\\s+");
            switch (f[0]) {
                case "user" -> {
                    String password = Files.readString(Path.of(f[2]), StandardCharsets.UTF_8).strip();
                    users.add(new UserScramCredentialUpsertion(
                            f[1], new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, SCRAM_ITERATIONS), password));
                    principals.add("User:" + f[1]);
                }
                case "acl" -> {
                    ResourcePattern resource = new ResourcePattern(
                            ResourceType.fromString(f[2]), f[4], PatternType.fromString(f[3]));
                    AccessControlEntry entry = new AccessControlEntry(
                            f[1], "*", AclOperation.fromString(f[5]), AclPermissionType.ALLOW);
                    wanted.add(new AclBinding(resource, entry));
                    principals.add(f[1]);
                }
                default -> throw new IllegalArgumentException("unknown plan line: " + line);
            }
        }
        try (Admin admin = Admin.create(props)) {
            if (!users.isEmpty()) {
                admin.alterUserScramCredentials(users).all().get();
            }
            Set<AclBinding> existing = new HashSet<>();
            List<AclBindingFilter> stale = new ArrayList<>();
            for (String principal : principals) {
                AclBindingFilter mine = new AclBindingFilter(ResourcePatternFilter.ANY,
                        new AccessControlEntryFilter(principal, null, AclOperation.ANY, AclPermissionType.ANY));
                for (AclBinding binding : admin.describeAcls(mine).values().get()) {
                    if (wanted.contains(binding)) {
                        existing.add(binding);
                    } else {
                        stale.add(binding.toFilter());
                    }
                }
            }
            List<AclBinding> missing = new ArrayList<>();
            for (AclBinding binding : wanted) {
                if (!existing.contains(binding)) {
                    missing.add(binding);
                }
            }
            if (!stale.isEmpty()) {
                admin.deleteAcls(stale).all().get();
            }
            if (!missing.isEmpty()) {
                admin.createAcls(missing).all().get();
            }
            System.out.printf("kafka principals: %d SCRAM users set; ACLs: %d kept, %d created, %d removed%n",
                    users.size(), existing.size(), missing.size(), stale.size());
        }
    }
}
