-- The guard that keeps lines of final invoices from changing ran once per line, each time looking up
-- its invoice; a billing run writes tens of thousands of lines at once. The same rule, checked once per
-- statement over the lines it touched (transition tables; PostgreSQL allows them on one event per
-- trigger, hence three triggers sharing one function).
drop trigger invoice_lines_final on invoice_lines;
drop function invoice_lines_of_final_invoices();

create function invoice_lines_of_final_invoices() returns trigger
language plpgsql as $$
declare
  final_invoice text;
begin
  if tg_op in ('INSERT', 'UPDATE') then
    select i.id || ' (' || i.status || ')' into final_invoice
      from new_lines l join invoices i on i.id = l.invoice_id where i.status <> 'draft' limit 1;
  end if;
  if final_invoice is null and tg_op in ('UPDATE', 'DELETE') then
    select i.id || ' (' || i.status || ')' into final_invoice
      from old_lines l join invoices i on i.id = l.invoice_id where i.status <> 'draft' limit 1;
  end if;
  if final_invoice is not null then
    raise exception 'lines of invoice % cannot change', final_invoice;
  end if;
  return null;
end;
$$;

create trigger invoice_lines_final_insert after insert on invoice_lines
  referencing new table as new_lines for each statement execute function invoice_lines_of_final_invoices();
create trigger invoice_lines_final_update after update on invoice_lines
  referencing old table as old_lines new table as new_lines for each statement execute function invoice_lines_of_final_invoices();
create trigger invoice_lines_final_delete after delete on invoice_lines
  referencing old table as old_lines for each statement execute function invoice_lines_of_final_invoices();
