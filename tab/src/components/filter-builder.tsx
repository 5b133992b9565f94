/**
 * The filter builder's controls, one per kind of filter word in `@klink help`: channel types, VIP,
 * tags, keywords, direction, group/direct, AI/human, unread at least N, room and contact ids, or
 * Everything. It edits a BuilderState; composing the words is logic/filter-words.ts's job.
 */
import { Checkbox, Field, Input, Radio, RadioGroup, Switch, makeStyles, tokens } from '@fluentui/react-components';
import type { Vocabulary } from '../logic/api-types';
import type { BuilderState, Direction, HandledBy, RoomKind } from '../logic/filter-words';
import { ValueListInput } from './value-list-input';

const useStyles = makeStyles({
  grid: {
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fit, minmax(260px, 1fr))',
    gap: '16px 24px',
    alignItems: 'start',
    marginTop: '12px',
  },
  fieldset: { border: 'none', margin: 0, padding: 0, display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(120px, 1fr))' },
  contacts: { border: 'none', margin: 0, padding: 0 },
  legend: { fontWeight: tokens.fontWeightSemibold, padding: 0, marginBottom: '4px' },
});

export interface FilterBuilderProps {
  vocabulary: Vocabulary;
  state: BuilderState;
  onChange: (state: BuilderState) => void;
}

export function FilterBuilder({ vocabulary, state, onChange }: FilterBuilderProps) {
  const styles = useStyles();
  const set = (patch: Partial<BuilderState>) => onChange({ ...state, ...patch });
  const off = state.everything;
  const toggleChannel = (word: string, on: boolean) =>
    set({ channels: on ? [...state.channels, word] : state.channels.filter((w) => w !== word) });
  return (
    <div>
      <Switch
        checked={state.everything}
        onChange={(_, data) => set({ everything: data.checked })}
        label="Everything: every customer message (all)"
      />
      <div className={styles.grid}>
        <fieldset className={styles.fieldset}>
          <legend className={styles.legend}>Channel types (any of them; none means every channel)</legend>
          {vocabulary.channels.map((c) => (
            <Checkbox
              key={c.word}
              label={c.label}
              disabled={off}
              checked={state.channels.includes(c.word)}
              onChange={(_, data) => toggleChannel(c.word, data.checked === true)}
            />
          ))}
        </fieldset>
        <fieldset className={styles.contacts}>
          <legend className={styles.legend}>Contacts</legend>
          <Checkbox
            label={`VIP contacts (tagged ${vocabulary.vipTags.join(' or ')})`}
            disabled={off}
            checked={state.vip}
            onChange={(_, data) => set({ vip: data.checked === true })}
          />
        </fieldset>
        <ValueListInput
          label="Contact tags"
          hint="The contact carries any of these tags."
          values={state.tags}
          disabled={off}
          onChange={(tags) => set({ tags })}
        />
        <ValueListInput
          label="Keywords or phrases"
          hint="The message text contains any of them (case-insensitive)."
          values={state.keywords}
          disabled={off}
          onChange={(keywords) => set({ keywords })}
        />
        <Field label="Direction">
          <RadioGroup value={state.direction} disabled={off} onChange={(_, data) => set({ direction: data.value as Direction })}>
            <Radio value="inbound" label="Customer messages (inbound)" />
            <Radio value="outbound" label="Agent and AI answers (outbound)" />
            <Radio value="both" label="Both" />
          </RadioGroup>
        </Field>
        <Field label="Rooms">
          <RadioGroup value={state.rooms} disabled={off} onChange={(_, data) => set({ rooms: data.value as RoomKind })}>
            <Radio value="either" label="Group and one-to-one" />
            <Radio value="group" label="Group rooms only (group)" />
            <Radio value="direct" label="One-to-one rooms only (direct)" />
          </RadioGroup>
        </Field>
        <Field label="Handled by">
          <RadioGroup value={state.handledBy} disabled={off} onChange={(_, data) => set({ handledBy: data.value as HandledBy })}>
            <Radio value="either" label="AI agent or people" />
            <Radio value="ai" label="klink's AI agent (ai)" />
            <Radio value="human" label="People (human)" />
          </RadioGroup>
        </Field>
        <Field label="Unread at least" hint="Only rooms with at least this many unread messages; empty for any.">
          <Input inputMode="numeric" value={state.minUnread} disabled={off} onChange={(_, data) => set({ minUnread: data.value })} />
        </Field>
        <ValueListInput
          label="klink room ids"
          hint="Only these klink rooms."
          values={state.roomIds}
          disabled={off}
          onChange={(roomIds) => set({ roomIds })}
        />
        <ValueListInput
          label="klink contact ids"
          hint="Only these klink contacts."
          values={state.contactIds}
          disabled={off}
          onChange={(contactIds) => set({ contactIds })}
        />
      </div>
    </div>
  );
}
