package io.eventsprocessor.cluster;

import com.hazelcast.internal.serialization.Data;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.impl.operation.MultipleEntryOperation;
import com.hazelcast.nio.serialization.DataSerializableFactory;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import java.util.Set;

/**
 * One change to several users of one partition, run by their owner on the partition's thread, with its backup
 * synchronous: Hazelcast's own multi-key operation, whose backup it otherwise sends asynchronously (its public API,
 * {@code executeOnKeys}, sends a partition's operations together with others and cannot wait for their backups). Sent
 * to one partition at a time (see {@link Partitions}), it answers once the backup has taken the owner's results, as a
 * single key's entry processor does: the users' events a node takes for one partition meanwhile cost one operation
 * and one backup together, not one each.
 *
 * <p>Hazelcast's own class (an internal one of Hazelcast 5.3: check it again on an upgrade), with its serialization:
 * only the backup counts and the class's id differ, and the id is registered in the member's configuration ({@link
 * #FACTORY_ID}, {@link Factory}), so that the member that runs it reads this class, not Hazelcast's.
 */
public final class PartitionStep extends MultipleEntryOperation {
  /** The service's own serialization factory: positive (Hazelcast's are negative). */
  public static final int FACTORY_ID = 20_261_206;
  private static final int CLASS_ID = 1;

  public PartitionStep() {}

  PartitionStep(String map, Set<Data> keys, EntryProcessor<?, ?, ?> processor) {
    super(map, keys, processor);
  }

  @Override
  public int getSyncBackupCount() {
    return mapContainer.getBackupCount();
  }

  @Override
  public int getAsyncBackupCount() {
    return mapContainer.getAsyncBackupCount();
  }

  @Override
  public int getFactoryId() {
    return FACTORY_ID;
  }

  @Override
  public int getClassId() {
    return CLASS_ID;
  }

  /** Makes the operation when a member reads one. */
  public static final class Factory implements DataSerializableFactory {
    @Override
    public IdentifiedDataSerializable create(int typeId) {
      return typeId == CLASS_ID ? new PartitionStep() : null;
    }
  }
}
