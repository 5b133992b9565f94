/**
 * A list of free values (tags, keywords, room or contact ids): type one, press Enter or Add; each
 * shows as a tag that can be removed with the keyboard.
 */
import { Button, Field, Input, Tag, TagGroup, makeStyles } from '@fluentui/react-components';
import { useId, useState } from 'react';

const useStyles = makeStyles({
  tags: { flexWrap: 'wrap', marginTop: '4px' },
});

export interface ValueListInputProps {
  label: string;
  hint: string;
  values: string[];
  onChange: (values: string[]) => void;
  disabled?: boolean;
}

export function ValueListInput({ label, hint, values, onChange, disabled }: ValueListInputProps) {
  const styles = useStyles();
  const [draft, setDraft] = useState('');
  const id = useId();
  const add = () => {
    const value = draft.trim();
    if (value !== '' && !values.includes(value)) onChange([...values, value]);
    setDraft('');
  };
  return (
    <div>
      <Field label={label} hint={hint}>
        <Input
          id={id}
          value={draft}
          disabled={disabled}
          onChange={(_, data) => setDraft(data.value)}
          onKeyDown={(event) => {
            if (event.key === 'Enter') {
              event.preventDefault();
              add();
            }
          }}
          contentAfter={
            <Button
              size="small"
              appearance="transparent"
              disabled={disabled || draft.trim() === ''}
              onClick={add}
              aria-label={`Add to ${label}`}
            >
              Add
            </Button>
          }
        />
      </Field>
      {values.length > 0 ? (
        <TagGroup className={styles.tags} aria-label={label} onDismiss={(_, data) => onChange(values.filter((v) => v !== data.value))}>
          {values.map((value) => (
            <Tag key={value} value={value} dismissible dismissIcon={{ 'aria-label': `remove ${value}` }} disabled={disabled}>
              {value}
            </Tag>
          ))}
        </TagGroup>
      ) : null}
    </div>
  );
}
